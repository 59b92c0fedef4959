/// Content negotiation as webob's `Accept.acceptable_offers`, which Gnocchi's error pages
/// and pecan's JSON routes depend on: each offer gets the quality of the most specific
/// media range that matches it, offers with quality 0 are dropped, and the rest are
/// ordered by quality, ties kept in the order offered.
public struct AcceptHeader: Sendable {
    struct Range: Sendable {
        var type: Substring
        var subtype: Substring
        var quality: Double
    }

    let ranges: [Range]?

    /// `nil` or an empty header accepts everything (pecan reads a missing one as `*/*`).
    public init(_ header: String?) {
        guard let header, !header.allSatisfy({ $0 == " " || $0 == "\t" }) else {
            ranges = nil
            return
        }
        var parsed: [Range] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let mediaRange = parts.first?.trimmingSpaces, !mediaRange.isEmpty else { continue }
            let pieces = mediaRange.split(separator: "/", maxSplits: 1)
            guard pieces.count == 2 else {
                // webob treats an invalid header as accepting everything.
                ranges = nil
                return
            }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "q" {
                    guard let value = Double(pair[1].trimmingSpaces), value >= 0, value <= 1 else {
                        ranges = nil
                        return
                    }
                    quality = value
                }
            }
            parsed.append(
                Range(
                    type: Substring(pieces[0].trimmingSpaces.lowercased()),
                    subtype: Substring(pieces[1].trimmingSpaces.lowercased()), quality: quality))
        }
        ranges = parsed
    }

    /// The offers the header accepts, best first (webob's `acceptable_offers`).
    public func acceptableOffers(_ offers: [String]) -> [String] {
        guard let ranges else { return offers }
        var scored: [(offer: String, quality: Double, position: Int)] = []
        for (position, offer) in offers.enumerated() {
            let pieces = offer.lowercased().split(separator: "/", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            var best: (specificity: Int, quality: Double)? = nil
            for range in ranges {
                let specificity: Int
                if range.type == pieces[0] && range.subtype == pieces[1] {
                    specificity = 3
                } else if range.type == pieces[0] && range.subtype == "*" {
                    specificity = 2
                } else if range.type == "*" && range.subtype == "*" {
                    specificity = 1
                } else {
                    continue
                }
                if best == nil || specificity > best!.specificity { best = (specificity, range.quality) }
            }
            if let best, best.quality > 0 { scored.append((offer, best.quality, position)) }
        }
        scored.sort { $0.quality != $1.quality ? $0.quality > $1.quality : $0.position < $1.position }
        return scored.map(\.offer)
    }

    /// The best of `offers`, or `nil` when none is acceptable.
    public func bestOffer(_ offers: [String]) -> String? { acceptableOffers(offers).first }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
