import Foundation
import Routing

/// Where a claimed resource stands. Only verified resources block other claimants, count in
/// measurements and may enter a certification's scope.
public enum VerificationState: String, Sendable, Codable, CaseIterable {
    /// Claimed by the participant, not yet shown to be theirs.
    case unverified
    /// Shown to be the participant's, with a recorded basis.
    case verified
    /// Another participant's overlapping claim was verified; this claim stays visible, refused.
    case superseded
}

/// What a verification rests on.
public enum VerificationBasis: String, Sendable, Codable, CaseIterable {
    /// A staff member's decision with a recorded reason (e.g. the RIR registration naming the participant).
    case staff
    /// A VRP of the latest VRP snapshot authorising one of the participant's verified ASNs for the prefix.
    case rpki
}

/// The rules of resource verification. Announcements and route objects prove that a resource is in
/// use, not who holds it, so they verify nothing; an ASN is verified by staff, a prefix by staff or
/// by RPKI: the holder of the address space signed a ROA for one of the participant's verified ASNs.
public enum ResourceVerification {
    /// The VRP that proves `prefix` is the participant's, whose verified ASNs are `verifiedASNs`:
    /// it covers the prefix, allows its length (maxLength at least the prefix's length) and names
    /// one of those ASNs (AS0 never does). The most specific such VRP, then the lowest ASN; nil when none.
    public static func authorisingVRP(for prefix: IPPrefix, among vrps: [VRP], verifiedASNs: Set<ASN>) -> VRP? {
        covering(prefix, among: vrps).filter { verifiedASNs.contains($0.asn) }
            .min { a, b in
                (b.prefix.length, a.asn, a.maxLength) < (a.prefix.length, b.asn, b.maxLength)
            }
    }

    /// The VRPs that would authorise `prefix` for their own ASN: they cover it and allow its
    /// length; AS0 (a ROA that authorises no one) never does. What the secretariat sees as the
    /// RPKI's word on an unverified claim: whose ASNs the address space's holder signed for.
    public static func covering(_ prefix: IPPrefix, among vrps: [VRP]) -> [VRP] {
        vrps.filter { vrp in vrp.asn != 0 && vrp.prefix.contains(prefix) && prefix.length <= vrp.maxLength }
    }

}
