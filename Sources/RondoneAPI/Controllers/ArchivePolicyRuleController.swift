/// Placeholder: the routes of this API area are being written.
struct ArchivePolicyRuleController {
    let context: ControllerContext

    func register(on routes: RouteTable) {}
}
