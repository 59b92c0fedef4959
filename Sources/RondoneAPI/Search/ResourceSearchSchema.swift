import RondoneIndexer

/// Gnocchi 4.7's `ResourceSearchSchema`: what a resource filter may look like before the
/// indexer sees it, as one ``SearchSchema``.
///
/// A filter is a mapping of at most one operator: a comparison (`=`, `==`, `eq`, `<`,
/// `lt`, `>`, `gt`, `<=`, `≤`, `le`, `>=`, `≥`, `ge`, `!=`, `≠`, `ne`) or `like` on one
/// attribute with a scalar operand, `in` with a non-empty list, `and` / `or` / `∧` / `∨`
/// with a non-empty list of filters, or `not` with a filter. `like` may not name `id`
/// (4.7 has no `ilike`). Operands of `id` are converted as resource ids are, with the
/// caller as creator (a name becomes its UUID).
enum ResourceSearchSchema {
    static let comparisonOperators = [
        "=", "==", "eq", "<", "lt", ">", "gt", "<=", "≤", "le", ">=", "≥", "ge", "!=", "≠", "ne",
    ]
    static let logicalOperators = ["and", "∨", "or", "∧"]

    /// The schema for a caller whose resources are created as `creator`.
    static func schema(creator: String?) -> SearchSchema {
        let resourceID = SearchSchema.function { value in
            guard case .string(let text) = value else {
                // Gnocchi fails with a TypeError (500) here; a 400 says what is wrong.
                return .failure(SearchSchemaError("expected str"))
            }
            do throws(ResourceIdentifier.Failure) {
                return .success(.uuid(try ResourceIdentifier.uuid(text, creator: creator)))
            } catch {
                return .failure(SearchSchemaError(error.message))
            }
        }
        let operand = SearchSchema.any([
            .type(.str), .type(.float), .type(.int), .type(.bool), .literal(.null),
        ])
        let attribute = SearchSchema.all([.type(.str), .notIn(["id"])])
        let nested = SearchSchema.lazy { schema(creator: creator) }
        return .all([
            .length(min: 0, max: 1),
            .mapping([
                (
                    .any(comparisonOperators.map { .literal(.string($0)) }),
                    .all([
                        .length(min: 1, max: 1),
                        .mapping([(.literal(.string("id")), resourceID), (attribute, operand)]),
                    ])
                ),
                (
                    .literal(.string("like")),
                    .all([.length(min: 1, max: 1), .mapping([(attribute, operand)])])
                ),
                (
                    .literal(.string("in")),
                    .all([
                        .length(min: 1, max: 1),
                        .mapping([
                            (
                                .literal(.string("id")),
                                .all([.sequence([resourceID]), .length(min: 1, max: nil)])
                            ),
                            (attribute, .all([.sequence([operand]), .length(min: 1, max: nil)])),
                        ]),
                    ])
                ),
                (
                    .any(logicalOperators.map { .literal(.string($0)) }),
                    .all([.sequence([nested]), .length(min: 1, max: nil)])
                ),
                (.literal(.string("not")), nested),
            ]),
        ])
    }

    /// The validated filter, or Gnocchi's 400 for the first schema error.
    static func validate(_ value: SearchValue, creator: String?) throws(APIError) -> SearchValue {
        do throws(SearchSchemaError) {
            return try schema(creator: creator).validate(value)
        } catch {
            throw error.apiError
        }
    }
}
