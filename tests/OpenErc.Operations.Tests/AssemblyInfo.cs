[assembly: Xunit.AssemblyFixture(typeof(OpenErc.Testing.PostgresCluster))]
