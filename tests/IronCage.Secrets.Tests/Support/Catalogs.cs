using IronCage.Providers;

namespace IronCage.Secrets.Tests;

internal static class Catalogs
{
    public static IProviderCatalog BuiltIn => ProviderCatalog.BuiltIn;
}
