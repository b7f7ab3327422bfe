namespace OpenErc.Web.Components.Account;

/// <summary>The fields of the sign-in and registration forms (static forms: posted, then redirected).</summary>
public sealed class AuthForm
{
    public string? Login { get; set; }
    public string? Password { get; set; }
    public string? ConfirmPassword { get; set; }
    public string? AccountNumber { get; set; }
    public string? Code { get; set; }
    public string? FullName { get; set; }
    public string? Surname { get; set; }
    public string? Token { get; set; }
}

public static class AuthPages
{
    /// <summary>Where to go after signing in: the page asked for, if it is of this site, else the user's home by role.</summary>
    public static string Target(string? returnUrl, IList<string> roles)
    {
        if (returnUrl is { Length: > 0 } url)
        {
            if (!url.StartsWith('/')) url = "/" + url;
            if (!url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) && url != "/login") return url;
        }
        return roles.Contains(Security.Roles.Citizen) ? "/cabinet" : roles.Contains(Security.Roles.Supplier) ? "/supplier" : "/";
    }
}
