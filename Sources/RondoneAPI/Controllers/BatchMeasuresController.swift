/// Placeholder: the routes of this API area are being written.
struct BatchMeasuresController {
    let context: ControllerContext

    func register(on routes: RouteTable) {}
}
