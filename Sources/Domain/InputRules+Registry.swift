import Foundation
import Routing

/// The registry's input rules: a participant's details, the resources it claims, its contacts,
/// who it adds as a member and the secretariat's verification notes. `RegistryOperations` calls
/// them for the API and the pages alike, so a bad field gets the same code and sentence on both.
/// Texts arrive trimmed (`InputRules.trimmed`); `field` is the name the refusal carries
/// (`contacts[0].email` in a new participant's body, `email` on its own).
extension InputRules {
    /// The most programs a participant takes part in.
    public static let maxPrograms = 4
    /// The most resources and contacts a new participant may bring along.
    public static let maxResourcesAtCreation = 1_000
    public static let maxContactsAtCreation = 50

    /// The organisation's registered (legal) name.
    public static func legalName(_ text: String, field: String = "legal_name") -> [FieldRefusal] {
        self.text(field, text, Limits.legalName, label: "The legal name", lineBreaks: false)
    }

    /// The name the registry shows for the organisation.
    public static func participantName(_ text: String, field: String = "display_name") -> [FieldRefusal] {
        self.text(field, text, Limits.displayName, label: "The display name", lineBreaks: false)
    }

    /// An ISO 3166-1 alpha-2 country code (any case; stored upper case: `Country.canonical`).
    public static func country(_ text: String, field: String = "country") -> [FieldRefusal] {
        if text.isEmpty { return [FieldRefusal(field, "required", "Give the country, as its two-letter code such as NL or US.")] }
        return Country.canonical(text) == nil
            ? [FieldRefusal(field, "invalid_country", "The country is not a two-letter ISO 3166 code such as NL or US.")] : []
    }

    /// An optional website: empty is none; otherwise an http or https address.
    public static func website(_ text: String, field: String = "website") -> [FieldRefusal] {
        text.isEmpty ? [] : url(field, text, limit: Limits.website)
    }

    /// The programs a participant takes part in: at least one, at most `maxPrograms` (whether
    /// each exists is the store's to say).
    public static func programs(_ programs: [String], field: String = "programs") -> [FieldRefusal] {
        if programs.isEmpty { return [FieldRefusal(field, "required", "Choose at least one program to take part in.")] }
        if programs.count > maxPrograms { return [FieldRefusal(field, "too_many", "A participant takes part in at most \(maxPrograms) programs.")] }
        return []
    }

    /// A participant's status, which only the secretariat changes.
    public static func participantStatus(_ text: String, field: String = "status") -> [FieldRefusal] {
        ["active", "inactive"].contains(text) ? [] : [FieldRefusal(field, "invalid", "The status is active or inactive.")]
    }

    /// How many entries of a list a request may carry.
    public static func count(_ field: String, _ count: Int, max: Int, of things: String) -> [FieldRefusal] {
        count > max ? [FieldRefusal(field, "too_many", "At most \(grouped(max)) \(things) at a time.")] : []
    }

    /// A resource to claim, in canonical form, or why it cannot be claimed (`ResourceValue.parse`:
    /// bogons, special-purpose space, prefixes shorter than `limits` allow). `kind` nil: none was chosen.
    public static func resource(
        _ text: String, kind: ResourceKind?, limits: ClaimLimits, field: String = "value", kindField: String = "kind"
    ) -> Result<(kind: ResourceKind, value: ResourceValue), FieldRefusal> {
        guard let kind else { return .failure(FieldRefusal(kindField, "required", "Choose what kind of resource this is.")) }
        if text.isEmpty {
            return .failure(
                FieldRefusal(field, "required", kind.isASN ? "Give the AS number, such as AS3333." : "Give the prefix, such as 193.0.0.0/21."))
        }
        do throws(Refusal) {
            return .success((kind, try ResourceValue.parse(text, kind: kind, limits: limits)))
        } catch {
            return .failure(FieldRefusal(field, error.code, error.message))
        }
    }

    /// The same value listed twice in one request: the second and later are refused.
    public static func duplicates(_ values: [(field: String, value: ResourceValue)]) -> [FieldRefusal] {
        var seen: Set<ResourceValue> = []
        return values.compactMap { entry in
            seen.insert(entry.value).inserted ? nil : FieldRefusal(entry.field, "duplicate", "\(entry.value) is listed more than once.")
        }
    }

    /// A contact: what it is for, an email address, optionally a name and a phone number.
    /// `prefix` starts each field's name (`contacts[0].`), empty for a contact on its own.
    public static func contact(role: ContactRole?, name: String, email: String, phone: String, prefix: String = "") -> [FieldRefusal] {
        var refusals: [FieldRefusal] = []
        if role == nil {
            refusals.append(FieldRefusal(prefix + "role", "required", "Choose what the contact is for (NOC, abuse, security, policy or business)."))
        }
        refusals += text(prefix + "name", name, Limits.contactName, label: "The contact's name", required: false, lineBreaks: false)
        refusals += emailAddress(email, field: prefix + "email", label: "The contact's email address")
        let phoneRefusals = text(prefix + "phone", phone, Limits.phone, label: "The phone number", required: false, lineBreaks: false)
        refusals += phoneRefusals
        if phoneRefusals.isEmpty && !phone.isEmpty && !ContactRules.isPhone(phone) {
            refusals.append(
                FieldRefusal(
                    prefix + "phone", "invalid_phone", "The phone number is not one; write it with its country code, such as +31 20 535 4444."))
        }
        return refusals
    }

    /// The email address of an applicant to add as a member.
    public static func memberEmail(_ email: String, field: String = "email") -> [FieldRefusal] {
        emailAddress(email, field: field, label: "The email address")
    }

    /// The secretariat's note on a verification: a reason, and an optional link to the evidence.
    public static func verification(reason: String, url: String?) -> [FieldRefusal] {
        text("reason", reason, Limits.verificationReason, label: "The reason")
            + (url.map { $0.isEmpty ? [] : self.url("url", $0, limit: Limits.verificationURL) } ?? [])
    }

    /// The secretariat's reason for withdrawing a verification.
    public static func unverification(reason: String) -> [FieldRefusal] {
        text("reason", reason, Limits.verificationReason, label: "The reason")
    }

    static func emailAddress(_ email: String, field: String, label: String) -> [FieldRefusal] {
        if email.isEmpty { return [FieldRefusal(field, "required", "\(label) is empty; write it out.")] }
        let refusals = text(field, email, Limits.email, label: label, lineBreaks: false)
        if !refusals.isEmpty { return refusals }
        return ContactRules.isEmail(email) ? [] : [FieldRefusal(field, "invalid_email", "\(label) is not one (like name@example.org).")]
    }
}
