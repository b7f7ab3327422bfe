// Saves a file the server streamed to the page (a list exported to XLSX): the browser's own download, no new window.
window.ercDownload = async (name, streamReference) => {
  const blob = new Blob([await streamReference.arrayBuffer()], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
};
