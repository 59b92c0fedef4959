/// Placeholder: the routes of this API area are being written.
struct ArchivePolicyController {
    let context: ControllerContext

    func register(on routes: RouteTable) {}
}
