import Hummingbird

extension BasicRequestContext {
    /// A path parameter as WSGI's `PATH_INFO` gives it to Gnocchi: percent escapes
    /// decoded (`generic%20one` is `generic one`), `+` kept; `""` when absent.
    func pathParameter(_ name: String) -> String {
        QueryString.decode(Substring(parameters.get(name) ?? "").utf8[...], plusIsSpace: false)
    }
}
