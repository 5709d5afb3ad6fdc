namespace IronCage.Testing; internal static class Placeholder { }
