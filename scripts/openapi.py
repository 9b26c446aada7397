#!/usr/bin/env python3
# Writes docs/openapi.json, the API contract served at /api/v1/openapi.json. Edit this file and run it;
# the ServerTests check the document against the router and validate real responses against it.
import json, os, re
S=lambda name: {"$ref": f"#/components/schemas/{name}"}
R=lambda name: {"$ref": f"#/components/responses/{name}"}
P=lambda name: {"$ref": f"#/components/parameters/{name}"}
uuid={"type":"string","format":"uuid"}
dt={"type":"string","format":"date-time"}
def obj(props, required=None, extra=False, desc=None):
    o={"type":"object","properties":props,"required":sorted(required if required is not None else props.keys()),"additionalProperties":extra}
    if desc: o["description"]=desc
    return o
def page(item): return obj({"items":{"type":"array","items":S(item)},"next_cursor":{"type":["string","null"],"description":"Pass as `cursor` for the next page; null at the end."}})
def items(item): return obj({"items":{"type":"array","items":S(item)}})
tier={"type":"string","enum":["baseline","plus"]}
# Request schemas say what the server accepts (Sources/Server/Routes/*Input.swift, FieldChecks, the
# Domain rules), so that a generated body gets past validation into the logic behind it.
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
control="\\x00-\\x1f\\x7f-\\x9f"  # Unicode's Cc, which FieldChecks.text refuses.
name=lambda n: {"type":"string","minLength":1,"maxLength":n,"pattern":f"^[^{control}]*\\S[^{control}]*$","description":f"1 to {n} characters, no control characters."}
optional_text=lambda n: {"type":"string","maxLength":n,"pattern":f"^[^{control}]*$","description":f"At most {n} characters, no control characters; blank is the same as absent."}
def digits(lo, hi):
    """A regular expression for the whole numbers lo...hi, without leading zeros."""
    if len(str(lo)) < len(str(hi)):
        split=10**len(str(lo))-1
        return digits(lo, split)+"|"+digits(split+1, hi)
    a, b = str(lo), str(hi)
    if a == b: return a
    common=len(next((a[:i] for i in range(len(a), -1, -1) if a[:i] == b[:i])))
    head, a, b = a[:common], a[common:], b[common:]
    rest=len(a)-1
    if a[1:] == "0"*rest and b[1:] == "9"*rest:
        return head+(f"[{a[0]}-{b[0]}]" if a[0] != b[0] else a[0])+("[0-9]"*rest if rest < 3 else f"[0-9]{{{rest}}}")
    if a[1:] != "0"*rest:
        upper=int(head+a[0]+"9"*rest)
        return digits(int(head+a), upper)+"|"+digits(upper+1, int(head+b))
    lower=int(head+b[0]+"0"*rest)
    return digits(int(head+a), lower-1)+"|"+digits(lower, int(head+b))
# Public AS numbers: ASNumber.parse refuses 0, AS_TRANS, documentation, private and reserved ones.
public_asn="^([Aa][Ss])?("+"|".join(digits(lo, hi) for lo, hi in [(1,23455),(23457,64495),(131072,4199999999)])+")$"
octet="(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
def cidr(v4, v6): return f"^({octet}(\\.{octet}){{3}}/({digits(0, v4)})|[0-9A-Fa-f]{{0,4}}:[0-9A-Fa-f:]{{1,38}}/({digits(0, v6)}))$"
countries=sorted(re.search(r'"""(.*?)"""', open(os.path.join(root, "Sources/Domain/Country.swift")).read(), re.S).group(1).split())
web_url=lambda n: {"type":"string","maxLength":n,"pattern":"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?$","description":"An http or https URL."}
programs=sorted(json.load(open(os.path.join(root, "schema/catalog", f)))["program"]["code"] for f in os.listdir(os.path.join(root, "schema/catalog")) if f.endswith(".json"))
# Every JobKind, read from Domain/Jobs.swift: `case name` or `case name = "raw"`.
jobs_source=open(os.path.join(root, "Sources/Domain/Jobs.swift")).read()
job_kinds=[raw or name for name, raw in re.findall(r'^\s*case (\w+)(?: = "([a-z_]+)")?$', jobs_source.split("enum JobKind")[1].split("\n}")[0], re.M)]
schemas={
 "Name100": name(100), "Name200": name(200),
 "ProgramCode": {"type":"string","enum":programs,"description":"A program's code: one of the catalogs in schema/catalog (422 for unknown ones)."},
 "Country": {"type":"string","enum":countries,"description":"ISO 3166-1 alpha-2, upper case (lower case is read as upper case)."},
 "Email": {"type":"string","format":"email","pattern":f"^[^@\\s{control}]{{1,64}}@[^@\\s.{control}]{{1,63}}(\\.[^@\\s.{control}]{{1,63}})+$","maxLength":254,"description":"One @, a local part of at most 64 characters, a domain of two or more labels of at most 63."},
 "Website": web_url(500),
 "Problem": obj({"type":{"type":"string","description":"Stable identifier, e.g. /problems/validation; see docs/api.md."},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"},"instance":{"type":"string","description":"The request id (X-Request-Id)."},"errors":{"type":"array","items":S("FieldError")}},["type","title","status","detail","instance"]),
 "FieldError": obj({"field":{"type":"string","description":"Path of the offending field, e.g. resources[2].value."},"code":{"type":"string","description":"Machine-readable: required, wrong_type, unknown_field, too_long, invalid_asn, bogon_asn, invalid_prefix, host_bits_set, bogon_prefix, too_specific, invalid_country, invalid_email, …"},"message":{"type":"string"}}),
 "Program": obj({"code":{"type":"string"},"name":{"type":"string"},"description":{"type":"string"},"current_version":{"type":"integer","description":"Highest published catalog version; absent before the first."}},["code","name","description"]),
 "ProgramDetail": obj({"code":{"type":"string"},"name":{"type":"string"},"description":{"type":"string"},"current_version":{"type":["integer","null"]},"catalog":{"oneOf":[S("CatalogVersion"),{"type":"null"}]}}),
 "CatalogVersion": obj({"program":{"type":"string"},"version":{"type":"integer","minimum":1},"status":{"type":"string","enum":["draft","published"]},"is_current":{"type":"boolean"},"document":S("CatalogDocument"),"created_at":dt,"updated_at":dt,"published_at":dt},["program","version","status","is_current","document","created_at","updated_at"]),
 "CatalogDocument": obj({"actions":{"type":"array","items":S("Action"),"minItems":1},
    "admission":obj({"baseline":S("AdmissionRule"),"plus":S("AdmissionRule")}),
    "cadence":obj({"baseline":S("Cadence"),"plus":S("Cadence")}),
    "enforcement":S("Enforcement")}),
 "Action": obj({"code":{"type":"string","maxLength":64,"pattern":"^[a-z0-9-]+(\\.[a-z0-9-]+){1,3}$"},"title":S("Name200"),"description":{"type":"string","maxLength":10000},"tier":tier,
    "mandatory":obj({"baseline":{"type":"boolean"},"plus":{"type":"boolean"}},[]),
    "evidence":{"type":"array","items":{"type":"string","enum":["statement","document","url","measurement"]},"minItems":1},
    "checks":{"type":"array","items":S("Check")}}),
 "Check": obj({"kind":{"type":"string","enum":["rpki_valid_share","rpki_score","rpki_invalid","rpki_invalid_origin","rpki_coverage","irr_coverage","irr_exact_coverage","irr_rpki_conflicts","bogon_prefixes_originated","bogon_prefixes_propagated","bogon_asns_originated","bogon_asns_propagated","too_specific_originated","rov_invalid_carried","spoofer_test_age_days","spoofable_prefixes","contacts_present","any_of","auditor_review","rpki_invalid_originated","rov_invalid_propagated","route_server_invalids","noc_24x7"],"description":"The measurement engine's metric the check reads (as in the measurement output), contacts_present, any_of (alternatives), or auditor_review (evidence auditors review, not measured). rpki_invalid_originated, rov_invalid_propagated, route_server_invalids and noc_24x7 are names of catalog version 1 that no engine computes: they still read, evaluate as insufficient data, and are refused in drafts."},
    "min":{"type":"number","minimum":0,"maximum":1,"description":"Lower bound of a share or score."},"max":{"type":"number","minimum":0,"description":"Upper bound of a count or age in days."},"roles":{"type":"array","items":{"type":"string","enum":["noc","abuse","security","policy","business"]}},
    "basis":{"type":"string","minLength":1,"maxLength":200,"description":"Where the threshold comes from: observatory, assumed, or the source cited."},
    "tiers":{"type":"array","items":tier,"minItems":1,"description":"The tiers the check applies at; absent for every tier where its action counts."},
    "window":obj({"days":{"type":"integer","minimum":1,"maximum":90},"snapshots":{"type":"integer","minimum":2,"maximum":100}},desc="For counts of routes: a route counts only when it is there at both ends of the window."),
    "any_of":{"type":"array","items":S("Check"),"minItems":2,"description":"For any_of: passes when one of these passes."},
    "review":{"type":"string","minLength":1,"maxLength":10000,"description":"For auditor_review: what the auditors review."}},["kind"]),
 "AdmissionRule": obj({"groups":{"type":"array","items":obj({"min":{"type":"integer","minimum":1},"of":{"type":"array","items":{"type":"string"}},"label":{"type":"string"}},["min","of"])}}),
 "Cadence": obj({"automated_check_days":{"type":"integer","minimum":1,"maximum":366},"reattestation_months":{"type":"integer","minimum":1,"maximum":36},"recertification_months":{"type":"integer","minimum":1,"maximum":60}}),
 "Enforcement": obj({"baseline":S("TierEnforcement"),"plus":S("TierEnforcement")},desc="Per tier. Catalog version 1's single block (no mode) reads as that block at both tiers, baseline notify_only and plus enforce."),
 "TierEnforcement": obj({"mode":{"type":"string","enum":["enforce","notify_only"],"description":"enforce: warning, suspension, revocation; notify_only: the participant is told, the status does not change."},"warning_grace_days":{"type":"integer","minimum":1,"maximum":365},"max_suspension_days":{"type":"integer","minimum":1,"maximum":366}}),
 "DraftInput": obj({"document":S("CatalogDocument")},[] ),
 "Participant": obj({"id":uuid,"legal_name":{"type":"string"},"display_name":{"type":"string"},"country":{"type":"string","pattern":"^[A-Z]{2}$"},"website":{"type":"string"},"status":{"type":"string","enum":["active","inactive"]},"programs":{"type":"array","items":{"type":"string"}},"created_at":dt,"updated_at":dt,"version":{"type":"integer","description":"Also the ETag."}},["id","legal_name","display_name","country","status","programs","created_at","updated_at","version"]),
 "ParticipantInput": obj({"legal_name":S("Name200"),"display_name":S("Name100"),"country":S("Country"),"website":S("Website"),"programs":{"type":"array","items":S("ProgramCode"),"minItems":1,"maxItems":4},"resources":{"type":"array","items":S("ResourceInput"),"maxItems":1000},"contacts":{"type":"array","items":S("ContactInput"),"maxItems":50}},["legal_name","country","programs"]),
 "ParticipantPatch": obj({"legal_name":S("Name200"),"display_name":S("Name100"),"country":S("Country"),"website":{"oneOf":[S("Website"),{"type":"null"}],"description":"null clears it."},"status":{"type":"string","enum":["active","inactive"],"description":"Admins only."},"programs":{"type":"array","items":S("ProgramCode"),"minItems":1,"maxItems":4}},[]),
 "Resource": obj({"id":uuid,"participant_id":uuid,"kind":{"type":"string","enum":["asn","prefix","route_server_asn","peering_lan"]},"value":{"type":"string","description":"AS3333 or a canonical prefix."},"asn":{"type":"integer"},"prefix":{"type":"string"},"created_at":dt,"verification":S("ResourceVerification")},["id","participant_id","kind","value","created_at","verification"]),
 "ResourceVerification": obj({"state":{"type":"string","enum":["unverified","verified","superseded"],"description":"Only verified resources block other claimants, count in measurements and enter a certification's scope; superseded: another participant's overlapping claim was verified."},"basis":{"type":["string","null"],"enum":["staff","rpki",None],"description":"Set when verified: staff (with reason) or rpki (with snapshot_id and vrp)."},"reason":{"type":["string","null"],"description":"Staff's reason, or why the claim was superseded or unverified."},"url":{"type":["string","null"]},"snapshot_id":{"type":["integer","null"],"description":"For rpki: the VRP snapshot."},"vrp":{"oneOf":[{"type":"null"},obj({"prefix":{"type":"string"},"max_length":{"type":"integer"},"asn":{"type":"integer"}})]},"by":{"type":["string","null"],"format":"uuid","description":"Who last changed the state; null for the command line."},"at":{"type":["string","null"],"format":"date-time"}}),
 "VerificationInput": obj({"reason":{"type":"string","minLength":1,"maxLength":2000,"description":"The evidence, e.g. the RIR registration naming the participant."},"url":{"type":"string","format":"uri","pattern":"^https?://[^\\s/]+","maxLength":500}},["reason"]),
 "UnverificationInput": obj({"reason":{"type":"string","minLength":1,"maxLength":2000}},["reason"]),
 "RPKIVerificationInput": obj({"participant_id":uuid},[]),
 "ResourceInput": {"oneOf":[
    obj({"kind":{"type":"string","enum":["asn","route_server_asn"]},"value":{"type":"string","pattern":public_asn,"description":"AS3333 or 3333: a public AS number (reserved, documentation and private ones are refused)."}}),
    obj({"kind":{"type":"string","enum":["prefix"]},"value":{"type":"string","maxLength":64,"pattern":cidr(24, 48),"description":"193.0.0.0/21 or 2001:67c:2e8::/48, at most /24 or /48; bogons and host bits are refused (422)."}}),
    obj({"kind":{"type":"string","enum":["peering_lan"]},"value":{"type":"string","maxLength":64,"pattern":cidr(32, 128),"description":"A peering LAN prefix, of any length; bogons and host bits are refused (422)."}})]},
 "Contact": obj({"id":uuid,"participant_id":uuid,"role":{"type":"string","enum":["noc","abuse","security","policy","business"]},"name":{"type":"string"},"email":{"type":"string"},"phone":{"type":"string"},"available_24x7":{"type":"boolean"},"created_at":dt,"updated_at":dt,"version":{"type":"integer"}},["id","participant_id","role","email","available_24x7","created_at","updated_at","version"]),
 "ContactInput": obj({"role":{"type":"string","enum":["noc","abuse","security","policy","business"]},"name":optional_text(200),"email":S("Email"),"phone":{"type":"string","maxLength":32,"pattern":"^\\+?[ .()-]*([0-9][ .()-]*){6,20}$","description":"6 to 20 digits, with spaces, dots, dashes or brackets, and a leading + if any."},"available_24x7":{"type":"boolean"}},["role","email"]),
 "Member": obj({"user_id":uuid,"email":{"type":"string"},"display_name":{"type":"string"},"role":{"type":"string","enum":["owner","member"]},"created_at":dt}),
 "MemberInput": obj({"email":S("Email"),"role":{"type":"string","enum":["owner","member"]}},["email"]),
 "MemberRequest": obj({"email":{"type":"string"},"role":{"type":"string","enum":["owner","member"]},"detail":{"type":"string"}}),
 "AuditEvent": obj({"seq":{"type":"integer","description":"Place in the audit chain."},"at":dt,"actor_user_id":uuid,"actor_role":{"type":"string"},"action":{"type":"string"},"entity_type":{"type":"string"},"entity_id":{"type":"string"},"before":{},"after":{},"request_id":{"type":"string"},"hash":{"type":"string","pattern":"^[0-9a-f]{64}$","description":"SHA-256(previous hash || RFC 8785 JSON of the event), hex."}},["seq","at","actor_role","action","entity_type","entity_id","hash"]),
 "AuditHead": obj({"seq":{"type":"integer"},"hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},"at":dt}),
 "User": obj({"id":uuid,"email":{"type":"string"},"display_name":{"type":"string"},"role":{"type":"string","enum":["admin","auditor","applicant","enterprise"]},"organisation":{"type":"string"},"disabled":{"type":"boolean"},"created_at":dt,"version":{"type":"integer"}},["id","email","display_name","role","disabled","created_at","version"]),
 "Me": obj({"user":S("User"),"memberships":{"type":"array","items":obj({"participant_id":uuid,"role":{"type":"string","enum":["owner","member"]}})}}),
 "UserInput": obj({"email":S("Email"),"display_name":S("Name100"),"role":{"type":"string","enum":["admin","auditor","applicant","enterprise"]},"organisation":optional_text(200)},["email","display_name","role"]),
 "CreatedUser": obj({"user":S("User"),"password":{"type":"string","description":"One-time password; absent on an idempotent replay (never stored)."}},["user"]),
 "UserPatch": obj({"display_name":S("Name100"),"role":{"type":"string","enum":["admin","auditor","applicant","enterprise"]},"disabled":{"type":"boolean"}},[]),
 "APIToken": obj({"id":uuid,"name":{"type":"string"},"prefix":{"type":"string","description":"The first characters of the secret, to tell tokens apart."},"scopes":{"type":"array","items":{"type":"string","enum":["read","write"]}},"expires_at":dt,"last_used_at":dt,"revoked_at":dt,"created_at":dt},["id","name","prefix","scopes","created_at"]),
 "PasswordInput": obj({"current_password":{"type":"string","minLength":1,"maxLength":200},"new_password":{"type":"string","minLength":12,"maxLength":72,"description":"At most 72 bytes (what bcrypt reads)."}}),
 "TokenInput": obj({"name":S("Name100"),"scopes":{"type":"array","items":{"type":"string","enum":["read","write"]},"minItems":1},"expires_at":{**dt,"description":"In the future (422 otherwise); absent: never expires."}},["name"]),
 "CreatedToken": obj({"token":S("APIToken"),"secret":{"type":"string","description":"The token (mp_…), shown once; absent on an idempotent replay (never stored)."}},["token"]),
 "Snapshot": obj({"id":{"type":"integer"},"kind":{"type":"string","enum":["vrps","routes","irr","peeringdb","spoofer"]},"source_name":{"type":"string"},"file_sha256":{"type":"string"},"taken_at":dt,"imported_at":dt,"records":{"type":"integer"},"rejected":{"type":"integer"},"truncated":{"type":"boolean"}}),
 "ApplicationState": {"type":"string","enum":["draft","submitted","in_review","changes_requested","approved","rejected","withdrawn"]},
 "Application": obj({"id":uuid,"participant_id":uuid,"participant_name":{"type":"string"},"program":{"type":"string"},"catalog_version":{"type":"integer"},"tier":tier,"state":S("ApplicationState"),"round":{"type":"integer","description":"Submissions so far; each is a review round."},"submitted_by":uuid,"submitted_at":dt,"decided_at":dt,"created_at":dt,"updated_at":dt,"version":{"type":"integer"}},["id","participant_id","participant_name","program","catalog_version","tier","state","round","created_at","updated_at","version"]),
 "ApplicationInput": obj({"participant_id":uuid,"program":S("ProgramCode"),"tier":tier}),
 "ApplicationDetail": obj({"application":S("Application"),"commitments":{"type":"array","items":S("Commitment")},"missing":{"type":"array","items":S("MissingItem"),"description":"What the application lacks before it can be submitted; empty when complete (and once submitted)."},"certification_id":uuid},["application","commitments","missing"]),
 "ApplicationReadout": obj({"application":S("Application"),"commitments":{"type":"array","items":S("Commitment")},"missing":{"type":"array","items":S("MissingItem"),"description":"What the application lacks before it can be submitted; empty when complete (and once submitted)."},"certification_id":uuid,"decisions":{"type":"array","items":S("DecisionRecord"),"description":"The reviewers' decisions of every round, oldest first, with their per-action comments and reasons."}},["application","commitments","missing","decisions"]),
 "Commitment": obj({"action_code":{"type":"string"},"action_title":{"type":"string"},"statement":{"type":"string"},"evidence":{"type":"array","items":S("Evidence")},"updated_at":dt}),
 "CommitmentInput": obj({"statement":{"type":"string","maxLength":20000,"description":"How the participant implements the action."}}),
 "MissingItem": obj({"action":{"type":"string"},"code":{"type":"string","enum":["mandatory_action","admission_group","unknown_action","statement","document","url"]},"message":{"type":"string"}},["code","message"]),
 "Evidence": obj({"id":uuid,"application_id":uuid,"action_code":{"type":"string"},"kind":{"type":"string","enum":["document","url","statement"]},"file_name":{"type":"string"},"declared_type":{"type":"string"},"sniffed_type":{"type":"string"},"size_bytes":{"type":"integer"},"sha256":{"type":"string","pattern":"^[0-9a-f]{64}$"},"url":{"type":"string"},"text":{"type":"string"},"effective_from":{"type":"string","format":"date"},"effective_until":{"type":"string","format":"date"},"supersedes":uuid,"superseded_by":uuid,"uploaded_by":uuid,"uploaded_at":dt},["id","application_id","action_code","kind","effective_from","uploaded_at"]),
 "EvidenceInput": {"oneOf":[obj({"kind":{"type":"string","enum":[kind]},field:schema,"effective_from":{"type":"string","format":"date"},"effective_until":{"type":"string","format":"date","description":"Not before effective_from (422 otherwise)."},"supersedes":uuid},["kind",field,"effective_from"])
    for kind, field, schema in [("url","url",web_url(2000)),("statement","text",name(20000))]]},
 "EvidenceUpload": obj({"file":{"type":"string","format":"binary","description":"PDF, PNG, JPEG, text, CSV, JSON, DOCX or XLSX; the bytes must match the declared type (415 otherwise); at most EVIDENCE_MAX_BYTES (413)."},"effective_from":{"type":"string","format":"date"},"effective_until":{"type":"string","format":"date"},"supersedes":uuid},["file","effective_from"]),
 "Comment": obj({"id":uuid,"application_id":uuid,"author_id":uuid,"author_name":{"type":"string"},"author_role":{"type":"string"},"body":{"type":"string"},"internal":{"type":"boolean"},"created_at":dt}),
 "CommentInput": obj({"body":name(10000),"internal":{"type":"boolean","description":"An auditors-only note (auditors and admins)."}},["body"]),
 "DecisionRecord": obj({"id":uuid,"review_item_id":uuid,"round":{"type":"integer"},"reviewer_id":uuid,"reviewer_name":{"type":"string"},"reviewer_role":{"type":"string"},"decision":{"type":"string","enum":["approve","request_changes","reject"]},"action_comments":{"type":"object","additionalProperties":{"type":"string"}},"reasons":{"type":"string"},"final":{"type":"boolean"},"created_at":dt}),
 "DecisionInput": {"oneOf":[obj({"decision":{"type":"string","enum":[decision]},
    "action_comments":{"type":"object","additionalProperties":{"type":"string","maxLength":10000},"maxProperties":100,**({"minProperties":1} if decision=="request_changes" else {}),"description":"Per action code: what to change."},
    "reasons":{"type":"string","maxLength":20000,**({"pattern":"\\S"} if decision=="reject" else {}),"description":"Required for a rejection."}},required)
    for decision, required in [("approve",["decision"]),("request_changes",["decision","action_comments"]),("reject",["decision","reasons"])]]},
 "ReviewItem": obj({"id":uuid,"kind":{"type":"string","enum":["application","dispute","appeal","reinstatement","insufficient_data","scope_changed","reattestation","recertification"]},"subject":{"type":"string","description":"What the item is about, in words."},"application_id":uuid,"certification_id":uuid,"check_result_id":uuid,"transition_id":uuid,"statement":{"type":"string","description":"What the participant wrote when opening a dispute or an appeal."},"round":{"type":"integer"},"participant_id":uuid,"participant_name":{"type":"string"},"program":{"type":"string"},"tier":tier,"status":{"type":"string","enum":["open","awaiting_second","flagged","closed"]},"due_at":dt,"overdue":{"type":"boolean"},"claimed_by":uuid,"claimed_by_name":{"type":"string"},"claim_expires_at":dt,"decisions":{"type":"integer"},"created_at":dt,"version":{"type":"integer"}},["id","kind","subject","round","participant_id","participant_name","program","tier","status","due_at","overdue","decisions","created_at","version"]),
 "AssignInput": obj({"auditor_id":uuid}),
 "Affiliation": obj({"id":uuid,"auditor_id":uuid,"auditor_name":{"type":"string"},"participant_id":uuid,"participant_name":{"type":"string"},"relation":{"type":"string"},"valid_from":{"type":"string","format":"date"},"valid_until":{"type":"string","format":"date"},"declared_at":dt},["id","auditor_id","auditor_name","participant_id","participant_name","relation","valid_from","declared_at"]),
 "AffiliationInput": obj({"participant_id":uuid,"relation":name(500),"valid_from":{"type":"string","format":"date"},"valid_until":{"type":"string","format":"date"}},["participant_id","relation","valid_from"]),
 "Certification": obj({"id":uuid,"participant_id":uuid,"participant_name":{"type":"string"},"program":{"type":"string"},"tier":tier,"catalog_version":{"type":"integer"},"application_id":uuid,"actions":{"type":"array","items":{"type":"string"}},"granted_at":dt,"valid_until":dt,"status":{"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]},"version":{"type":"integer"}}),
 "ApplicationPage": page("Application"), "CommentList": items("Comment"), "DecisionList": items("DecisionRecord"), "EvidenceList": items("Evidence"),
 "Job": obj({"id":{"type":"integer"},"kind":{"type":"string","enum":["housekeeping","probe","deliver_notifications","run_checks","enforcement_timers"]},"state":{"type":"string","enum":["queued","running","done","failed"]},"due_at":dt,"attempts":{"type":"integer","minimum":0},"max_attempts":{"type":"integer","minimum":1},"lease_until":dt,"last_error":{"type":"string"},"created_at":dt,"finished_at":dt},["id","kind","state","due_at","attempts","max_attempts","created_at"]),
 "JobList": items("Job"),
 # Check results and enforcement (issue 12, checks helper)
 "CheckResult": obj({"id":uuid,"certification_id":uuid,"program":{"type":"string"},"tier":tier,"action":{"type":"string"},"check":S("Check"),"verdict":{"type":"string","enum":["pass","fail","insufficient_data"]},"value":{"type":["number","null"],"description":"The measured value (a share, a score, a count); null when there was none."},"explanation":{"type":"string","description":"The value against the threshold in a sentence, and when the routing table and the RPKI data were taken and how far apart."},"evidence":{"type":"array","items":{"type":"string"},"description":"A bounded sample of the routes or prefixes behind a failure."},"measured_at":dt,"snapshots":{"type":"array","items":obj({"id":{"type":"integer"},"kind":{"type":"string","enum":["vrps","routes","irr","peeringdb","spoofer"]},"taken_at":dt})},"dispute":{"type":["string","null"],"description":"For a failed result: the page where the participant disputes it as a false positive."}},["id","certification_id","program","tier","action","check","verdict","explanation","evidence","measured_at","snapshots"]),
 "CheckResultPage": page("CheckResult"),
 "CertificationEnforcement": obj({"certification_id":uuid,"program":{"type":"string"},"tier":tier,"status":{"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]},"granted_at":dt,"valid_until":dt,"deadline":{"type":["string","null"],"format":"date-time","description":"Warned: the remediation deadline; suspended: when it is revoked unless reinstated."},"appeal_open":{"type":"boolean","description":"An appeal is open: the deadline stands still."},"last_checked":{"type":["string","null"],"format":"date-time"},"history":{"type":"array","items":obj({"from":{"type":"string"},"to":{"type":"string"},"at":dt,"deadline":{"type":["string","null"],"format":"date-time"},"cause":{"type":"string"},"actor_role":{"type":"string","enum":["scheduler","participant","auditor","admin"]}},["from","to","at","cause","actor_role"])}},["certification_id","program","tier","status","granted_at","valid_until","appeal_open","history"]),
 "CertificationEnforcementList": items("CertificationEnforcement"),
 "Job": obj({"id":{"type":"integer"},"kind":{"type":"string","enum":job_kinds},"state":{"type":"string","enum":["queued","running","done","failed"]},"due_at":dt,"attempts":{"type":"integer","minimum":0},"max_attempts":{"type":"integer","minimum":1},"lease_until":dt,"last_error":{"type":"string"},"created_at":dt,"finished_at":dt},["id","kind","state","due_at","attempts","max_attempts","created_at"]),
 "JobList": items("Job"),
 "SnapshotFetch": obj({"id":{"type":"integer"},"outcome":{"type":"string","enum":["imported","unchanged","failed"],"description":"imported: a new snapshot; unchanged: a 304 or the same bytes as an earlier snapshot (nothing imported); failed: nothing imported, the previous snapshot stays in force."},"attempted_at":dt,"snapshot_id":{"type":"integer","description":"The snapshot imported, or the one that already held these bytes."},"http_status":{"type":"integer"},"etag":{"type":"string"},"last_modified":{"type":"string","description":"As the server sent it (an HTTP date), or a local file's modification time."},"sha256":{"type":"string","pattern":"^[0-9a-f]{64}$"},"bytes":{"type":"integer","minimum":0},"duration_ms":{"type":"integer","minimum":0},"error":{"type":"string","description":"Why nothing was imported, in a sentence."}},["id","outcome","attempted_at","duration_ms"]),
 "SnapshotSource": obj({"name":{"type":"string"},"kind":{"type":"string","enum":["vrps","routes","irr","peeringdb","spoofer"]},"location":{"type":"string","description":"The http(s) URL or local path fetched."},"cadence_seconds":{"type":"integer","minimum":60},"max_bytes":{"type":"integer","minimum":1},"timeout_seconds":{"type":"integer","minimum":1},"next_due_at":dt,"last_attempt":S("SnapshotFetch"),"last_success":S("SnapshotFetch"),"last_failure":S("SnapshotFetch")},["name","kind","location","cadence_seconds","max_bytes","timeout_seconds"]),
 "SnapshotSourceList": obj({"file":{"type":"string","description":"The SNAPSHOT_SOURCES file; absent when none is configured."},"problem":{"type":"string","description":"Why the file cannot be used now; absent when it can."},"items":{"type":"array","items":S("SnapshotSource")}},["items"]),
 "ReviewQueue": items("ReviewItem"), "AffiliationList": items("Affiliation"), "CertificationList": items("Certification"),
 "ProgramList": items("Program"), "CatalogVersionList": items("CatalogVersion"), "ParticipantPage": page("Participant"),
 "ResourceList": items("Resource"), "ContactList": items("Contact"), "MemberList": items("Member"), "AuditEventPage": page("AuditEvent"),
 "UserPage": page("User"), "TokenList": items("APIToken"), "SnapshotPage": page("Snapshot"),
 "SnapshotReference": obj({"id":{"type":"integer"},"source_name":{"type":"string"},"file_sha256":{"type":"string"},"taken_at":dt}),
 "Measurement": obj({"participant_id":uuid,
    "inputs":obj({"routes":S("SnapshotReference"),"vrps":S("SnapshotReference"),"irr":S("SnapshotReference"),"peeringdb":S("SnapshotReference"),"spoofer":S("SnapshotReference")},["routes"]),
    "asns":{"type":"array","items":obj({"asn":{"type":"integer"},"announcements":{"type":"integer"},"rpki_valid":{"type":"integer"},"rpki_invalid":{"type":"integer"},
        "rpki_invalid_origin":{"type":"integer"},"rpki_invalid_length":{"type":"integer"},"rpki_not_found":{"type":"integer"},"rpki_valid_share":{"type":"number"},
        "rpki_score":{"type":"number","description":"Observatory style: valid share - 10 x invalid share."},"irr_exact":{"type":"integer"},"irr_covering":{"type":"integer"},
        "irr_none":{"type":"integer"},"irr_coverage":{"type":"number"},"irr_rpki_conflicts":{"type":"integer"},"bogon_prefixes_originated":{"type":"integer"},
        "too_specific_originated":{"type":"integer"},"noc_contact":{"type":"boolean"},"abuse_contact":{"type":"boolean"},
        "contact_sources":{"type":"array","items":{"type":"string","enum":["peeringdb","registry"]}},
        "rov_invalid_carried":{"type":"integer","description":"Distinct RPKI-invalid routes this AS carried as a non-origin AS (absent without AS paths)."},
        "bogon_prefixes_propagated":{"type":"integer"},"bogon_asns_originated":{"type":"integer"},"bogon_asns_propagated":{"type":"integer"},
        "spoofer_prefixes_tested":{"type":"integer","description":"Client networks of this AS with a Spoofer session (absent without a spoofer snapshot)."},
        "spoofable_prefixes":{"type":"integer","description":"Of those, the networks whose latest session let a forged packet out (MANRS M5)."},
        "spoofer_last_test":dt,"spoofer_test_age_days":{"type":"integer","description":"Days from the latest session to the routes snapshot's time."},
        "explanations":{"type":"array","items":obj({"metric":{"type":"string"},"subject":{"type":"string"},"evidence":{"type":"array","items":{"type":"string"}}})}},
        ["asn","announcements","rpki_valid","rpki_invalid","rpki_invalid_origin","rpki_invalid_length","rpki_not_found","irr_exact","irr_covering","irr_none",
         "irr_rpki_conflicts","bogon_prefixes_originated","too_specific_originated","noc_contact","abuse_contact","contact_sources","explanations"])}}),
 "Health": obj({"status":{"type":"string"},"schema_version":{"type":"integer"}},["status"]),
 "WebhookEndpoint": obj({"id":uuid,"participant_id":uuid,"url":{"type":"string"},"description":{"type":"string"},"created_at":dt}),
 "WebhookEndpointList": items("WebhookEndpoint"),
 "WebhookInput": obj({"url":{"type":"string","maxLength":2000,"pattern":"^[Hh][Tt][Tt][Pp][Ss]?://[^\\s@/]+(/\\S*)?$","description":"The endpoint's address: https:// to a public host (a private, loopback or link-local address is a 422 webhook_url_not_public; http:// only to a loopback address, and only where the operator allows it: 422 otherwise)."},"description":optional_text(200)},["url"]),
 "WebhookRegistered": obj({"endpoint":S("WebhookEndpoint"),"secret":{"type":"string","pattern":"^whsec_[A-Za-z0-9+/=]+$","description":"The signing secret (Standard Webhooks), shown this once: keep it to verify the webhook-signature header."}}),
 "DeliveryAttempt": obj({"outbox_id":uuid,"message_id":{"type":"string","description":"The webhook-id header, the same on every retry of one message."},"event":{"type":"string","enum":["application.changes_requested","application.certified","application.rejected","webhook.test","certification.check_failed","certification.warned","certification.deadline_reminder","certification.suspended","certification.reinstated","certification.revoked","certification.restored","certification.expiry_upcoming","certification.expired","certification.withdrawn","certification.reattestation_missed","certification.auditor_finding","certification.dispute_accepted","certification.appeal_opened","certification.appeal_granted","certification.appeal_rejected","certification.overridden"]},"attempted_at":dt,"status_code":{"type":["integer","null"]},"duration_ms":{"type":"integer","minimum":0},"succeeded":{"type":"boolean"},"error":{"type":["string","null"]}},["outbox_id","message_id","event","attempted_at","duration_ms","succeeded"]),
 "DeliveryAttemptList": items("DeliveryAttempt"),
 "BulkCheckInput": obj({"items":{"type":"array","items":{"type":"string","maxLength":200},"description":"AS numbers (AS64500 or 64500), mark ids (MP-XXXX-XXXX-C) or participant names, at most 10,000 (413 over that). Answered in this order."}}),
 "SnapshotUsed": obj({"id":{"type":"integer"},"source_name":{"type":"string"},"file_sha256":{"type":"string"},"taken_at":dt}),
 "Readiness": obj({"label":{"type":"string","description":"Says that these are measurements, not a certification."},
        "announcements":{"type":"integer","minimum":0},"rpki_valid":{"type":"integer","minimum":0},"rpki_invalid":{"type":"integer","minimum":0},"rpki_not_found":{"type":"integer","minimum":0},
        "rpki_valid_share":{"type":["number","null"]},"rpki_invalid_share":{"type":["number","null"]},"rpki_score":{"type":["number","null"],"description":"Valid share - 10 x invalid share (the Observatory's)."},
        "irr_coverage":{"type":["number","null"],"description":"Share with a route object, exact or covering; null without an IRR snapshot."},
        "bogon_prefixes_originated":{"type":"integer","minimum":0},"rov_invalid_carried":{"type":["integer","null"],"description":"RPKI-invalid routes carried as transit; null when the routes had no AS paths."},
        "routes_snapshot":S("SnapshotUsed"),"vrps_snapshot":S("SnapshotUsed"),"irr_snapshot":{"oneOf":[S("SnapshotUsed"),{"type":"null"}]}},
        desc="An ASN's routing metrics from the latest public snapshot pair (the measure_readiness job)."),
 "BulkCheckRow": obj({"input":{"type":"string"},"kind":{"type":"string","enum":["asn","mark","name","empty"]},"result":{"type":"string","enum":["certified","not_certified","not_found"]},
        "mark_id":{"type":"string"},"holder":{"type":"string"},"program":{"type":"string"},"tier":tier,"status":{"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]},
        "status_text":{"type":"string","description":"The status in words, e.g. 'valid, with a warning'."},"valid_until":dt,
        "other_marks":{"type":"array","items":{"type":"string"}},"readiness":S("Readiness")},["input","kind","result","other_marks"]),
 "BulkCheckResult": obj({"count":{"type":"integer","minimum":0},"results":{"type":"array","items":S("BulkCheckRow")}}),
}
def problem(desc): return {"description":desc,"content":{"application/problem+json":{"schema":S("Problem")}}}
responses={
 "BadRequest":problem("Malformed JSON or invalid UTF-8 (/problems/malformed-json)."),
 "Unauthenticated":problem("No credentials, or a token that is unknown, expired or revoked (/problems/unauthenticated)."),
 "Forbidden":problem("Signed in, but the role, membership or token scope does not allow this (/problems/forbidden)."),
 "NotFound":problem("No such resource (/problems/not-found)."),
 "Conflict":problem("The change contradicts the current state, e.g. a resource held (verified) by another participant (/problems/resource-held), a resource the participant already claims (/problems/resource-claimed), verifying a verified resource (/problems/resource-verified) or withdrawing an unverified one (/problems/resource-not-verified), an existing draft (/problems/draft-exists), a published catalog (/problems/catalog-published), a taken email (/problems/email-taken), the last owner (/problems/last-owner)."),
 "PreconditionFailed":problem("If-Match names a version that is no longer current (/problems/stale-version); the current ETag is in the response's ETag header."),
 "PreconditionRequired":problem("If-Match is missing (/problems/version-required)."),
 "TooLarge":problem("The body is over the limit (/problems/body-too-large)."),
 "UnsupportedMediaType":problem("The body is not JSON (/problems/unsupported-media-type)."),
 "RateLimited":problem("Too many failed password checks; Retry-After says when (/problems/rate-limited)."),
 "Invalid":problem("Invalid fields, each listed in `errors` (/problems/validation), or an Idempotency-Key reused with another body (/problems/idempotency-key-reused)."),
}
parameters={
 "participant":{"name":"participant","in":"path","required":True,"schema":uuid},
 "program":{"name":"program","in":"path","required":True,"schema":{"$ref":"#/components/schemas/ProgramCode"},"description":"Program code: netops, ixp, cdn, vendor."},
 "version":{"name":"version","in":"path","required":True,"schema":{"type":"integer","minimum":1,"maximum":2147483646}},
 "resource":{"name":"resource","in":"path","required":True,"schema":uuid},
 "contact":{"name":"contact","in":"path","required":True,"schema":uuid},
 "user":{"name":"user","in":"path","required":True,"schema":uuid},
 "application":{"name":"application","in":"path","required":True,"schema":uuid},
 "action":{"name":"action","in":"path","required":True,"schema":{"type":"string","pattern":"^[a-z0-9-]+(\\.[a-z0-9-]+){1,3}$"},"description":"An action code of the application's catalog, e.g. netops.1."},
 "evidence":{"name":"evidence","in":"path","required":True,"schema":uuid},
 "item":{"name":"item","in":"path","required":True,"schema":uuid},
 "affiliation":{"name":"affiliation","in":"path","required":True,"schema":uuid},
 "certification":{"name":"certification","in":"path","required":True,"schema":uuid},
 "token":{"name":"token","in":"path","required":True,"schema":uuid},
 "endpoint":{"name":"endpoint","in":"path","required":True,"schema":uuid},
 "limit":{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":200,"default":50}},
 "cursor":{"name":"cursor","in":"query","schema":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,100}$"},"description":"next_cursor of the previous page (422 for anything else)."},
 "IfMatch":{"name":"If-Match","in":"header","required":True,"schema":{"type":"string","pattern":"^(W/)?\"[1-9][0-9]{0,9}\"$"},"description":"The ETag read with the resource, e.g. \"3\"."},
 "IdempotencyKey":{"name":"Idempotency-Key","in":"header","schema":{"type":"string","pattern":"^[!-~]{1,200}$"},"description":"Makes a retry safe: the same key and body replay the first response (Idempotent-Replayed: true); the same key with another body is a 422."},
}
def ok(schema, status="200", desc="OK", etag=False, location=False):
    r={"description":desc,"content":{"application/json":{"schema":S(schema)}}}
    h={}
    if etag: h["ETag"]={"schema":{"type":"string"},"description":"The version, for If-Match (and If-None-Match: 304 when unchanged)."}
    if location: h["Location"]={"schema":{"type":"string"}}
    if h: r["headers"]=h
    result={status:r}
    if etag and status=="200": result["304"]={"description":"Not modified: If-None-Match named the current ETag."}
    return result
def op(summary, tag, responses, errors, params=(), body=None, security=True, desc=None):
    o={"summary":summary,"tags":[tag],"responses":dict(responses)}
    # Any API call can carry a bad token, which is refused rather than treated as anonymous,
    # and a path or query the server refuses before routing (not canonical, or with NUL): 400.
    errors = sorted(set(errors) | {"400", "401"})
    for e in errors: o["responses"][{"429":"429","400":"400","401":"401","403":"403","404":"404","409":"409","412":"412","413":"413","415":"415","422":"422","428":"428"}[e]]=R({"400":"BadRequest","401":"Unauthenticated","403":"Forbidden","404":"NotFound","409":"Conflict","412":"PreconditionFailed","413":"TooLarge","415":"UnsupportedMediaType","422":"Invalid","428":"PreconditionRequired","429":"RateLimited"}[e])
    if params: o["parameters"]=[P(p) if isinstance(p,str) else p for p in params]
    if body: o["requestBody"]={"required":True,"content":{"application/json":{"schema":S(body)}}}
    if not security: o["security"]=[]
    if desc: o["description"]=desc
    return o
W=["400","401","403","413","415","422"]
q=lambda name,desc,schema={"type":"string"}: {"name":name,"in":"query","schema":schema,"description":desc}
asnq=lambda desc: q("asn",desc+" Reserved, documentation and private ASNs are refused (422).",{"type":"string","pattern":public_asn})
prefixq=lambda n,desc: q(n,desc+" A CIDR prefix without host bits (422 otherwise).",{"type":"string","maxLength":64,"pattern":cidr(32, 128)})
paths={
 "/healthz":{"get":op("Liveness","operations",ok("Health"),[],security=False)},
 "/readyz":{"get":{**op("Readiness: the database answers and its schema matches","operations",ok("Health"),[],security=False),"responses":{**ok("Health"),"503":problem("Not ready, with the reason.")}}},
 "/metrics":{"get":{"summary":"Prometheus metrics","tags":["operations"],"security":[],"responses":{"200":{"description":"Prometheus text format","content":{"text/plain":{"schema":{"type":"string"}}}}}}},
 "/login":{"get":{"summary":"Sign-in page","tags":["pages"],"security":[],"responses":{"200":{"description":"HTML form","content":{"text/html":{"schema":{"type":"string"}}}},"303":{"description":"Already signed in: to /"}}},
           "post":{"summary":"Sign in (form post with the page's CSRF field); rate-limited per account and address","tags":["pages"],"security":[],"requestBody":{"required":True,"content":{"application/x-www-form-urlencoded":{"schema":obj({"email":{"type":"string"},"password":{"type":"string"},"csrf":{"type":"string"}})}}},"responses":{"303":{"description":"Signed in: session cookie set, to /"},"401":{"description":"Wrong email or password (HTML)"},"403":{"description":"Missing or stale CSRF field, or a form that cannot be read (HTML)"},"422":{"description":"No email or password (HTML)","content":{"text/html":{"schema":{"type":"string"}}}},"429":{"description":"Too many failures; Retry-After says when (HTML)"}}}},
 "/logout":{"post":{"summary":"Sign out (form post with the session's CSRF field)","tags":["pages"],"security":[{"session":[]}],"requestBody":{"required":True,"content":{"application/x-www-form-urlencoded":{"schema":obj({"csrf":{"type":"string"}})}}},"responses":{"303":{"description":"To /login"},"403":R("Forbidden")}}},
 "/":{"get":{"summary":"Account page: memberships and API tokens","tags":["pages"],"security":[{"session":[]}],"responses":{"200":{"description":"HTML","content":{"text/html":{"schema":{"type":"string"}}}},"303":{"description":"Not signed in: to /login"},"401":R("Unauthenticated")}}},
 "/account/password":{"post":{"summary":"Change the password from the account page (signs every session out)","tags":["pages"],"security":[{"session":[]}],"requestBody":{"required":True,"content":{"application/x-www-form-urlencoded":{"schema":obj({"csrf":{"type":"string"},"current":{"type":"string"},"new":{"type":"string"}})}}},"responses":{"303":{"description":"Changed: to /login"},"401":R("Unauthenticated"),"403":R("Forbidden"),"422":{"description":"The account page with what went wrong","content":{"text/html":{"schema":{"type":"string"}}}},"429":{"description":"Too many failed attempts (HTML)","content":{"text/html":{"schema":{"type":"string"}}}}}}},
 "/account/tokens":{"post":{"summary":"Create an API token from the account page; shows the secret once","tags":["pages"],"security":[{"session":[]}],"requestBody":{"required":True,"content":{"application/x-www-form-urlencoded":{"schema":obj({"csrf":{"type":"string"},"name":{"type":"string"},"read_only":{"type":"string"}},["csrf","name"])}}},"responses":{"201":{"description":"HTML with the new token","content":{"text/html":{"schema":{"type":"string"}}}},"303":{"description":"Not signed in: to /login"},"403":R("Forbidden"),"422":R("Invalid")}}},
 "/api/v1/openapi.json":{"get":{"summary":"This document","tags":["meta"],"security":[],"responses":{"200":{"description":"OpenAPI 3.1","content":{"application/json":{"schema":{"type":"object"}}}}}}},
 "/api/v1/programs":{"get":op("List the programs with their current catalog version","catalogs",ok("ProgramList"),[],security=False)},
 "/api/v1/programs/{program}":{"get":op("A program with its current catalog (actions, admission rule, cadence, enforcement)","catalogs",ok("ProgramDetail"),["404"],["program"],security=False)},
 "/api/v1/programs/{program}/versions":{
   "get":op("Every catalog version of a program, newest first","catalogs",ok("CatalogVersionList"),["404"],["program"],security=False),
   "post":op("Start a draft (admins): the given document, or a copy of the current version","catalogs",ok("CatalogVersion","201","Created",location=True),W+["404","409"],["program","IdempotencyKey"],"DraftInput")},
 "/api/v1/programs/{program}/versions/{version}":{
   "get":op("One catalog version","catalogs",ok("CatalogVersion",etag=True),["404"],["program","version"],security=False),
   "put":op("Replace a draft's document (admins); published versions never change","catalogs",ok("CatalogVersion",etag=True),W+["404","409","412","428"],["program","version","IfMatch"],"DraftInput")},
 "/api/v1/programs/{program}/versions/{version}/publish":{"post":op("Publish a draft (admins): it becomes current for new applications and frozen","catalogs",ok("CatalogVersion",etag=True),["401","403","404","409","412","422","428"],["program","version","IfMatch"])},
 "/api/v1/participants":{
   "get":op("List participants (applicants see their own), in creation order","participants",ok("ParticipantPage"),["401","403","422"],["limit","cursor",q("program","Takes part in this program.",S("ProgramCode")),q("country","ISO 3166-1 alpha-2.",S("Country")),q("status","active or inactive.",{"type":"string","enum":["active","inactive"]}),asnq("Holds this ASN (AS3333 or 3333)."),prefixq("prefix","Holds a prefix overlapping this one.")]),
   "post":op("Register a participant with its programs, resources and contacts; an applicant becomes its owner","participants",ok("Participant","201","Created",location=True),W+["409"],["IdempotencyKey"],"ParticipantInput")},
 "/api/v1/participants/{participant}":{
   "get":op("One participant","participants",ok("Participant",etag=True),["401","403","404"],["participant"]),
   "patch":op("Change a participant's details (members); status is for admins","participants",ok("Participant",etag=True),W+["404","412","428"],["participant","IfMatch"],"ParticipantPatch")},
 "/api/v1/participants/{participant}/resources":{
   "get":op("The participant's ASNs and prefixes","participants",ok("ResourceList"),["401","403","404","422"],["participant",q("kind","asn, prefix, route_server_asn or peering_lan.",{"type":"string","enum":["asn","prefix","route_server_asn","peering_lan"]}),prefixq("within","Only prefixes inside this prefix.")]),
   "post":op("Claim a resource; it starts unverified (a prefix the latest VRPs authorise for a verified ASN of the participant is verified at once); 409 when another participant holds it or an overlapping prefix (verified), naming the holder to staff only","participants",ok("Resource","201","Created",location=True),W+["404","409"],["participant","IdempotencyKey"],"ResourceInput")},
 "/api/v1/participants/{participant}/resources/{resource}":{"delete":op("Release a resource","participants",{"204":{"description":"Released"}},["401","403","404"],["participant","resource"])},
 "/api/v1/participants/{participant}/resources/{resource}/verify":{"post":op("Verify a resource with the evidence (admins); other participants' unverified overlapping claims become superseded; verifying an ASN verifies the prefixes the latest VRPs authorise for it; 409 when already verified or held by another participant","participants",ok("Resource"),W+["404","409"],["participant","resource"],"VerificationInput")},
 "/api/v1/participants/{participant}/resources/{resource}/unverify":{"post":op("Withdraw a verification with the reason (admins); for an ASN, also the RPKI verifications that rested on it; 409 when not verified","participants",ok("Resource"),W+["404","409"],["participant","resource"],"UnverificationInput")},
 "/api/v1/participants/{participant}/contacts":{
   "get":op("The participant's contacts","participants",ok("ContactList"),["401","403","404"],["participant"]),
   "post":op("Add a contact","participants",ok("Contact","201","Created",location=True),W+["404"],["participant","IdempotencyKey"],"ContactInput")},
 "/api/v1/participants/{participant}/contacts/{contact}":{
   "get":op("One contact","participants",ok("Contact",etag=True),["401","403","404"],["participant","contact"]),
   "put":op("Replace a contact","participants",ok("Contact",etag=True),W+["404","412","428"],["participant","contact","IfMatch"],"ContactInput"),
   "delete":op("Remove a contact","participants",{"204":{"description":"Removed"}},["401","403","404"],["participant","contact"])},
 "/api/v1/participants/{participant}/members":{
   "get":op("Who works for the participant","participants",ok("MemberList"),["401","403","404"],["participant"]),
   "post":op("Add an applicant by email, or change their role (owners and admins); the answer is the same whether or not an applicant account has the email (the members list shows who is in)","participants",ok("MemberRequest","202","Accepted"),W+["404","409"],["participant"],"MemberInput")},
 "/api/v1/participants/{participant}/members/{user}":{"delete":op("Remove a member (owners and admins); the last owner stays","participants",{"204":{"description":"Removed"}},["401","403","404","409"],["participant","user"])},
 "/api/v1/participants/{participant}/webhooks":{
   "get":op("The participant's webhook endpoints (owners and admins)","participants",ok("WebhookEndpointList"),["401","403","404"],["participant"]),
   "post":op("Register a webhook endpoint (owners and admins); the answer carries its signing secret, shown this once","participants",ok("WebhookRegistered","201","Created",location=True),W+["404"],["participant"],"WebhookInput")},
 "/api/v1/participants/{participant}/webhooks/{endpoint}":{"delete":op("Delete a webhook endpoint: nothing more is sent to it","participants",{"204":{"description":"Deleted"}},["401","403","404"],["participant","endpoint"])},
 "/api/v1/participants/{participant}/webhooks/{endpoint}/test":{"post":op("Queue a test event (webhook.test) to the endpoint; the next delivery run sends it","participants",{"202":{"description":"Queued"}},["401","403","404"],["participant","endpoint"])},
 "/api/v1/participants/{participant}/webhooks/{endpoint}/deliveries":{"get":op("The endpoint's delivery log, latest first: each attempt's time, status code, duration and error","participants",ok("DeliveryAttemptList"),["401","403","404","422"],["participant","endpoint","limit"])},
 "/api/v1/participants/{participant}/results":{"get":op("The participant's check results, latest first: verdicts with their numbers, explanations, the snapshots used and, for each failed result, where to dispute it (members, auditors, admins)","participants",ok("CheckResultPage"),["401","403","404","422"],["participant","limit","cursor"])},
 "/api/v1/participants/{participant}/enforcement":{"get":op("Each certification of the participant with its enforcement state, deadline and history, latest first (members, auditors, admins)","participants",ok("CertificationEnforcementList"),["401","403","404"],["participant"])},
 "/api/v1/participants/{participant}/timeline":{"get":op("Every recorded change to the participant, in audit-chain order, with each event's hash","participants",ok("AuditEventPage"),["401","403","404","422"],["participant","limit",q("cursor","next_cursor of the previous page.",{"type":"string","pattern":"^[0-9]{1,18}$"})])},
 "/api/v1/applications":{
   "get":op("Applications (applicants see their participants')","workflow",ok("ApplicationPage"),["401","403","422"],["limit","cursor",q("participant","Of this participant.",uuid),q("state","In this state.",S("ApplicationState")),q("program","To this program.",S("ProgramCode"))]),
   "post":op("Start a draft application under the program's current catalog (the participant's members)","workflow",ok("Application","201","Created",location=True),W+["404","409"],["IdempotencyKey"],"ApplicationInput")},
 "/api/v1/applications/{application}":{"get":op("An application with its commitments, evidence, what it still lacks and the reviewers' decisions with their comments and reasons","workflow",ok("ApplicationReadout",etag=True),["401","403","404"],["application"])},
 "/api/v1/applications/{application}/commitments/{action}":{
   "put":op("Commit to an action with an implementation statement (draft, or changes requested)","workflow",ok("ApplicationDetail",etag=True),W+["404","409"],["application","action"],"CommitmentInput"),
   "delete":op("Drop a commitment (draft, or changes requested)","workflow",ok("ApplicationDetail",etag=True),["401","403","404","409"],["application","action"])},
 "/api/v1/applications/{application}/commitments/{action}/evidence":{"post":{**op("Attach evidence: a file as multipart/form-data, or a URL or statement as JSON; `supersedes` makes it a new version","workflow",ok("Evidence","201","Created",location=True),W+["404","409"],["application","action"]),
   "requestBody":{"required":True,"content":{"multipart/form-data":{"schema":S("EvidenceUpload")},"application/json":{"schema":S("EvidenceInput")}}}}},
 "/api/v1/applications/{application}/evidence":{"get":op("All evidence of an application, every version","workflow",ok("EvidenceList"),["401","403","404"],["application"])},
 "/api/v1/applications/{application}/submit":{"post":op("Submit: 422 lists what is missing, action by action; otherwise a review round enters the queue","workflow",ok("ApplicationDetail",etag=True),["401","403","404","409","412","422","428"],["application","IfMatch"])},
 "/api/v1/applications/{application}/withdraw":{"post":op("Withdraw before a decision","workflow",ok("ApplicationDetail",etag=True),["401","403","404","409","412","428"],["application","IfMatch"])},
 "/api/v1/applications/{application}/comments":{
   "get":op("The comment thread (internal notes for auditors and admins only)","workflow",ok("CommentList"),["401","403","404"],["application"]),
   "post":op("Comment; auditors and admins may write internal notes","workflow",ok("Comment","201","Created"),W+["404"],["application"],"CommentInput")},
 "/api/v1/applications/{application}/decisions":{"get":op("The reviewers' decisions, every round","workflow",ok("DecisionList"),["401","403","404"],["application"])},
 "/api/v1/evidence/{evidence}":{"get":op("Evidence metadata","workflow",ok("Evidence"),["401","403","404"],["evidence"])},
 "/api/v1/evidence/{evidence}/content":{"get":{**op("Download a file (Content-Disposition: attachment; X-Content-Type-Options: nosniff)","workflow",{"200":{"description":"The file as uploaded, with its sniffed content type","content":{"*/*":{"schema":{"type":"string","format":"binary"}}}}},["401","403","404"],["evidence"])}},
 "/api/v1/review-queue":{"get":op("The auditors' queue, by due time","workflow",ok("ReviewQueue"),["401","403","422"],[q("program","",S("ProgramCode")),q("tier","",tier),q("status","Default: everything not closed.",{"type":"string","enum":["open","awaiting_second","flagged","closed"]}),q("mine","Claimed by me.",{"type":"string","enum":["true","false"]}),q("unassigned","Nobody holds it.",{"type":"string","enum":["true","false"]}),q("overdue","Past its due time.",{"type":"string","enum":["true","false"]}),q("sort","A column, - first for descending; default due.",{"type":"string","enum":[p+c for c in ["due","participant","program","tier","status"] for p in ["","-"]]}),"limit"])},
 "/api/v1/review-queue/{item}":{"get":op("One queue item","workflow",ok("ReviewItem",etag=True),["401","403","404"],["item"])},
 "/api/v1/review-queue/{item}/claim":{"post":op("Claim an item for REVIEW_CLAIM_MINUTES; refused for a conflict of interest (naming the rule) or while someone else holds it","workflow",ok("ReviewItem",etag=True),["401","403","404","409"],["item"])},
 "/api/v1/review-queue/{item}/release":{"post":op("Give an item back to the queue (its holder, or an admin)","workflow",ok("ReviewItem",etag=True),["401","403","404","409"],["item"])},
 "/api/v1/review-queue/{item}/assign":{"post":op("Assign an item to an auditor (admins); the same independence rules apply","workflow",ok("ReviewItem",etag=True),W+["404","409"],["item"],"AssignInput")},
 "/api/v1/review-queue/{item}/decision":{"post":op("Decide a claimed item: MANRS+ approval needs two distinct auditors; a disagreement is flagged for an admin","workflow",ok("ReviewItem",etag=True),W+["404","409"],["item"],"DecisionInput")},
 "/api/v1/users/me/affiliations":{
   "get":op("Your declared affiliations (auditors)","workflow",ok("AffiliationList"),["401","403"]),
   "post":op("Declare an affiliation with a participant for a period (auditors)","workflow",ok("Affiliation","201","Created"),W+["404"],[],"AffiliationInput")},
 "/api/v1/users/me/affiliations/{affiliation}":{"delete":op("End an affiliation today; the record stays","workflow",{"204":{"description":"Ended"}},["401","403","404"],["affiliation"])},
 "/api/v1/affiliations":{"get":op("Every declared affiliation (admins: the conflicts view)","workflow",ok("AffiliationList"),["401","403"])},
 "/api/v1/certifications":{"get":op("Certifications (applicants see their participants')","workflow",ok("CertificationList"),["401","403","422"],[q("participant","Of this participant.",uuid),"limit"])},
 "/api/v1/certifications/{certification}":{"get":op("One certification","workflow",ok("Certification",etag=True),["401","403","404"],["certification"])},
 "/api/v1/admin/sources":{"get":op("The snapshot sources (admins): each source configured in SNAPSHOT_SOURCES with its last attempt, last success and last failure","jobs",ok("SnapshotSourceList"),["401","403"])},
 "/api/v1/admin/jobs":{"get":op("The background job queue, newest first (admins): queued, running, done and failed (parked after its last retry) jobs with their last error","jobs",ok("JobList"),["401","403","422"],[q("state","Only jobs in this state",{"type":"string","enum":["queued","running","done","failed"]})])},
 "/api/v1/audit/head":{"get":op("The head of the audit hash chain: publish or record it to detect a rewrite later","audit",ok("AuditHead"),["401","403"])},
 "/api/v1/resources":{"get":op("Who holds or claims a resource (staff): by ASN, prefixes within a prefix, prefixes covering one, or verification state (the queue of unverified claims)","participants",ok("ResourceList"),["401","403","422"],[asnq("AS3333 or 3333."),prefixq("within","Prefixes inside this prefix."),prefixq("covering","Prefixes that contain this prefix."),q("verification","Only claims in this state, e.g. unverified.",{"type":"string","enum":["unverified","verified","superseded"]}),"limit"])},
 "/api/v1/resources/rpki-verification":{"post":op("Run automatic prefix verification against the latest VRP snapshot (admins), for one participant or all; returns the prefixes it verified","participants",ok("ResourceList"),W+["404","409"],[],"RPKIVerificationInput")},
 "/api/v1/users/me":{"get":op("The signed-in account and its memberships","accounts",ok("Me",etag=True),["401"])},
 "/api/v1/users/me/password":{"put":{**op("Change your password (signs out your browser sessions)","accounts",{"204":{"description":"Changed"}},W+["429"],[],"PasswordInput")}},
 "/api/v1/users/me/tokens":{
   "get":op("Your API tokens (never their secrets)","accounts",ok("TokenList"),["401"]),
   "post":op("Create an API token; the secret is in this response only","accounts",ok("CreatedToken","201","Created",location=True),W,["IdempotencyKey"],"TokenInput")},
 "/api/v1/users/me/tokens/{token}":{"delete":op("Revoke one of your tokens","accounts",{"204":{"description":"Revoked"}},["401","403","404"],["token"])},
 "/api/v1/users":{
   "get":op("All users (admins)","accounts",ok("UserPage"),["401","403","422"],["limit","cursor"]),
   "post":op("Create a user (admins); the response carries a one-time password","accounts",ok("CreatedUser","201","Created",location=True),W+["409"],["IdempotencyKey"],"UserInput")},
 "/api/v1/users/{user}":{
   "get":op("One user (admins, or yourself)","accounts",ok("User",etag=True),["401","403","404"],["user"]),
   "patch":op("Change a user's name, role or disabled flag (admins; not your own role or flag: /problems/self-lockout)","accounts",ok("User",etag=True),W+["404","409","412","428"],["user","IfMatch"],"UserPatch")},
 "/api/v1/participants/{participant}/measurements":{"get":op("The participant's ASNs measured over a routes snapshot (the latest by default) and the VRP, IRR and PeeringDB snapshots of its time, with explanations","measurement",ok("Measurement"),["401","403","404","422","429"],["participant",q("snapshot","A routes snapshot id.",{"type":"string","pattern":"^[1-9][0-9]{0,17}$"})])},
 "/api/v1/snapshots":{"get":op("Imported measurement snapshots with their provenance (staff)","measurement",ok("SnapshotPage"),["401","403","422"],[q("kind","vrps, routes, irr, peeringdb or spoofer.",{"type":"string","enum":["vrps","routes","irr","peeringdb","spoofer"]}),"limit",q("cursor","next_cursor of the previous page.",{"type":"string","pattern":"^[1-9][0-9]{0,17}$"})])},
}
html={"text/html":{"schema":{"type":"string"}}}
# The mark for buyers (issue 13): public reads, no login, answered from memory with an ETag.
status_enum={"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]}
markp={"name":"mark","in":"path","required":True,"schema":{"type":"string","minLength":1,"maxLength":40},"description":"A mark id such as MP-ZESE-C4JA-P (any case; dashes, spaces and the MP optional)."}
strings={"type":"array","items":{"type":"string"}}
summary_props={"mark":{"type":"string","pattern":"^MP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$"},"organisation":{"type":"string","description":"The holder's legal name."},"display_name":{"type":"string"},"country":{"type":"string"},
 "program":{"type":"string"},"program_name":{"type":"string"},"tier":tier,"tier_name":{"type":"string","enum":["MANRS","MANRS+"]},
 "status":status_enum,"status_text":{"type":"string","description":"The status in words: a warned mark is `valid, with a warning`."},
 "since":{**dt,"description":"When the mark entered its status."},"reason":{"type":"string","description":"Why, as a category (check_failed, deadline_passed, max_suspension_passed, revoked_for_cause, appeal_granted, …); absent for a grant."},
 "granted_at":dt,"valid_until":dt,"asns":{"type":"array","items":{"type":"integer","minimum":0,"maximum":4294967295}},"prefixes":strings,"actions":strings,
 "last_check":obj({"at":dt,"actions":{"type":"array","items":obj({"action":{"type":"string"},"verdict":{"type":"string","enum":["pass","fail","insufficient_data"]}})},"inputs":obj({"routes_taken_at":dt,"vrps_taken_at":dt,"note":{"type":"string","description":"When each was taken and how far apart, in words (e.g. 'Routing table of April 6, 2024, RPKI data of July 20, 2025, taken 15 months apart.')."}},desc="The routing table and RPKI data of the latest check that used both; absent when none has.")},["at","actions"],desc="The latest conformance check per action (no evidence, no values); absent before the first.")}
summary_required=[k for k in summary_props if k not in ("reason","last_check")]
schemas.update({
 "MarkSummary": obj(summary_props, summary_required),
 "MarkDetail": obj(summary_props | {"links":obj({"page":{"type":"string"},"credential":{"type":"string"},"history":{"type":"string"},"badge":{"type":"string"}})}, summary_required+["links"]),
 "MarkHistory": obj({"mark":{"type":"string"},"items":{"type":"array","items":obj({"at":dt,"status":{"type":"string","description":"granted, or the state entered."},"from":{"type":"string"},"reason":{"type":"string"},"tier":tier},["at","status","tier"])}}),
 "VerifyAnswer": obj({"query":{"type":"object","additionalProperties":{"type":"string"}},"certified":{"type":"boolean","description":"A mark covering the query is valid now (active, or warned)."},"summary":{"type":"string"},"marks":{"type":"array","items":S("MarkSummary")},
   "measured":{"oneOf":[S("Readiness"),{"type":"null"}],"description":"For an ASN no mark certifies: its routing metrics measured from the latest public snapshots, labelled as measurements, not certification (null otherwise, or before any measurement)."}}),
 "SignedCredential": {"type":"object","description":"A W3C Verifiable Credential 2.0 with an eddsa-jcs-2022 Data Integrity proof (docs/credentials.md).","required":["@context","type","issuer","proof"]},
})
def public_get(summary, schema, content_type="application/json", errors=(), params=(), desc=None):
    o={"summary":summary,"tags":["marks"],"security":[],"responses":{"200":{"description":"OK","content":{content_type:{"schema":schema}},"headers":{"ETag":{"schema":{"type":"string"},"description":"A hash of the body: If-None-Match gets 304 while unchanged."}}},"304":{"description":"Not modified: If-None-Match named the current ETag."},"400":R("BadRequest")}}
    for e in errors: o["responses"][e]=R({"404":"NotFound","422":"Invalid"}[e])
    if params: o["parameters"]=list(params)
    if desc: o["description"]=desc
    return o
paths.update({
 "/.well-known/did.json":{"get":public_get("The issuer's did:web document: every key, the signing key first (Multikey)",{"type":"object"},"application/did+json")},
 "/.well-known/jwks.json":{"get":public_get("The issuer's keys as a JWKS (OKP, Ed25519)",{"type":"object"},"application/jwk-set+json")},
 "/api/v1/verify":{"get":public_get("Is it certified? By mark id, ASN, prefix (the certified holders covering it) or name: status, since when, why, scope, validity, the last check per action",S("VerifyAnswer"),errors=["404","422"],
   params=[q("mark","A mark id."),q("asn","AS3333 or 3333."),q("prefix","A prefix such as 193.0.0.0/21."),q("q","2 to 100 characters of the holder's name.")],desc="Exactly one of the parameters (422 otherwise). An unknown mark id is 404; an ASN, prefix or name without a mark answers certified: false.")},
 "/api/v1/marks/{mark}":{"get":public_get("A mark: status, since when, why, scope, validity, the last check per action, and its links",S("MarkDetail"),errors=["404"],params=[markp])},
 "/api/v1/marks/{mark}/history":{"get":public_get("A mark's public history, newest first: grants and every enforcement transition with its reason category",S("MarkHistory"),errors=["404"],params=[markp])},
 "/api/v1/marks/{mark}/credential":{"get":public_get("The mark's current signed credential",S("SignedCredential"),"application/vc+ld+json",errors=["404"],params=[markp])},
 "/api/v1/status-lists/{purpose}":{"get":public_get("A signed Bitstring Status List credential (131,072 entries or more, GZIP + base64url): suspension (warned or suspended, reversible) or revocation (final)",S("SignedCredential"),"application/vc+ld+json",errors=["404"],params=[{"name":"purpose","in":"path","required":True,"schema":{"type":"string","enum":["suspension","revocation"]}}])},
 "/marks/{mark}":{"get":{"summary":"A mark's public page: the status large, scope, the last check, history, how to verify the credential","tags":["pages"],"security":[],"parameters":[markp],"responses":{"200":{"description":"HTML","content":html},"404":{"description":"No such mark, or a mistyped id (HTML)","content":html},"400":R("BadRequest")}}},
 "/marks/{mark}/badge.svg":{"get":{**public_get("The mark's live badge (Cache-Control: no-cache): a suspended or revoked mark says so",{"type":"string"},"image/svg+xml",errors=["404"],params=[markp])}},
})
# Reviews of enforcement (issue 12 §3, §4): disputes, appeals, revocation for cause, overrides.
schemas["ReasonInput"]=obj({"reason":name(20000)})
schemas["OverrideInput"]=obj({"status":{"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]},"reason":name(20000)})
schemas["Dispute"]=obj({"id":uuid,"check_result_id":uuid,"certification_id":uuid,"participant_id":uuid,"reason":{"type":"string"},"status":{"type":"string","enum":["open","accepted","rejected"]},"decision_reasons":{"type":"string"},"opened_at":dt,"decided_at":dt},["id","check_result_id","certification_id","participant_id","reason","status","opened_at"])
schemas["DisputeList"]=items("Dispute")
parameters["result"]={"name":"result","in":"path","required":True,"schema":uuid}
paths["/api/v1/participants/{participant}/results/{result}/disputes"]={"post":op("Dispute a failed check result as a false positive, with a reason (the participant's members): a dispute item for the auditors; one open dispute per result","workflow",ok("Dispute","201","Created"),W+["404","409"],["participant","result"],"ReasonInput")}
paths["/api/v1/participants/{participant}/disputes"]={"get":op("The participant's disputes, latest first, with the auditors' decisions","workflow",ok("DisputeList"),["401","403","404"],["participant"])}
paths["/api/v1/certifications/{certification}/appeals"]={"post":op("Appeal against the warning, suspension or revocation that gave the certification its status (the participant's members): the escalation timers pause and an appeal item opens, decided by auditors who took no part in what is appealed","workflow",ok("ReviewItem","201","Created"),W+["404","409"],["certification"],"ReasonInput")}
paths["/api/v1/certifications/{certification}/revocation"]={"post":op("Revoke a suspended certification for cause, with a reason (an independent auditor)","workflow",ok("Certification",etag=True),W+["404","409"],["certification"],"ReasonInput")}
paths["/api/v1/certifications/{certification}/withdrawal"]={"post":op("Withdraw the certification, with a reason (the participant's owners): final; the mark no longer verifies","workflow",ok("Certification",etag=True),W+["404","409"],["certification"],"ReasonInput")}
paths["/api/v1/certifications/{certification}/override"]={"post":op("Override the certification's enforcement status, with a recorded reason (admins)","workflow",ok("Certification",etag=True),W+["404","409"],["certification"],"OverrideInput")}
paths["/api/v1/review-queue"]["get"]["parameters"].append(q("kind","Only items of this kind.",{"type":"string","enum":["application","dispute","appeal","reinstatement","insufficient_data","scope_changed","reattestation","recertification"]}))
# The workflow pages: HTML for browsers, each form with the session's CSRF field.
html={"text/html":{"schema":{"type":"string"}}}
pages=[
    ("/applications", "get", "Applicant dashboard: participants, applications, what is missing", None),
    ("/applications", "post", "Start an application (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}", "get", "An application: certified state, the auditors' feedback, commitments, evidence upload per commitment, submit, comments", None),
    ("/applications/{application}/commitments", "post", "Commit to an action or update its statement (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}/evidence", "post", "Upload evidence (form)", "multipart/form-data"),
    ("/applications/{application}/evidence-url", "post", "Add a URL as evidence (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}/submit", "post", "Submit (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}/comments", "post", "Comment (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}/withdraw", "post", "Withdraw the application (form)", "application/x-www-form-urlencoded"),
    ("/applications/{application}/commitments/{action}/remove", "post", "Take a commitment back (form)", "application/x-www-form-urlencoded"),
    ("/queue", "get", "Auditor queue: sortable, filterable, overdue highlighted, claim buttons", None),
    ("/queue/{item}/claim", "post", "Claim (form)", "application/x-www-form-urlencoded"),
    ("/review/{item}", "get", "Review page: earlier decisions, measurements, commitments with their actions' descriptions, evidence, per-action comments, decision form", None),
    ("/review/{item}/decision", "post", "Decide (form)", "application/x-www-form-urlencoded"),
    ("/review/{item}/release", "post", "Release (form)", "application/x-www-form-urlencoded"),
    ("/review/{item}/comments", "post", "Comment or internal note (form)", "application/x-www-form-urlencoded"),
    ("/admin/conflicts", "get", "Declared affiliations (admins)", None),
    ("/participants/{participant}", "get", "A participant's registry data: details, resources with their verification state in words and what verifying an unverified one needs, contacts, members; forms for the participant's members (members: owners) and admins", None),
    ("/participants/{participant}/details", "post", "Change the participant's details: names, country, website, programs; the status for admins (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/resources", "post", "Claim a resource (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/resources/{resource}/remove", "post", "Release a resource (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/contacts", "post", "Add a contact (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/contacts/{contact}", "post", "Change a contact (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/contacts/{contact}/remove", "post", "Remove a contact (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/members", "post", "Add a member by email or change their role; the answer is the same whether or not an applicant account has the email (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/members/{user}/remove", "post", "Remove a member; the last owner stays (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/results", "get", "The participant's check results, latest first, verdicts in words with their numbers, explanations and deadlines; each failed result links to its dispute form", None),
    ("/admin/users", "get", "Accounts (admins): role, state, last sign-in; create, change role, disable or enable", None),
    ("/admin/users", "post", "Create an account (form); answers 201 with the page showing its one-time password once", "application/x-www-form-urlencoded"),
    ("/admin/users/{user}", "post", "Change an account's role, or disable or enable it (form; never one's own: self-lockout)", "application/x-www-form-urlencoded"),
    ("/admin/catalogs", "get", "Every program's catalog versions and draft (admins)", None),
    ("/admin/catalogs/{program}/versions", "post", "Start a draft as a copy of the latest published version (form)", "application/x-www-form-urlencoded"),
    ("/admin/catalogs/{program}/versions/{version}", "get", "A catalog version in words (actions, levels, evidence, checks, admission, timings); for a draft, the JSON editor and its problems", None),
    ("/admin/catalogs/{program}/versions/{version}", "post", "Save a draft's document (form)", "application/x-www-form-urlencoded"),
    ("/admin/catalogs/{program}/versions/{version}/publish", "get", "The confirmation before publishing: a published version never changes", None),
    ("/admin/catalogs/{program}/versions/{version}/publish", "post", "Publish a draft (form)", "application/x-www-form-urlencoded"),
    ("/admin/resources", "get", "Resource claims awaiting verification, or one participant's resources, with the registry's evidence (RPKI) and verify or withdraw forms", None),
    ("/admin/resources/{participant}/{resource}/verify", "post", "Verify a resource with a reason (form)", "application/x-www-form-urlencoded"),
    ("/admin/resources/{participant}/{resource}/unverify", "post", "Withdraw a resource's verification with a reason (form)", "application/x-www-form-urlencoded"),
    ("/participants/{participant}/results/{result}/dispute", "get", "A check result with its explanation, its disputes, and the form to dispute a failed result", None),
    ("/participants/{participant}/results/{result}/dispute", "post", "Dispute a failed check result with a reason (form)", "application/x-www-form-urlencoded"),
    ("/admin/sources", "get", "The snapshot sources, each with its last attempt, last success and last error", None),
    ("/certifications/{certification}/enforcement", "get", "A certification's status with the forms this user may use: appeal (members), revocation for cause (auditors, when suspended), override (admins)", None),
    ("/certifications/{certification}/appeal", "post", "Appeal against a warning, suspension or revocation with a reason (form)", "application/x-www-form-urlencoded"),
    ("/certifications/{certification}/revocation", "post", "Revoke a suspended certification for cause with a reason (form, auditors)", "application/x-www-form-urlencoded"),
    ("/certifications/{certification}/withdrawal", "post", "Withdraw the certification with a reason (form, the participant's owners): final", "application/x-www-form-urlencoded"),
    ("/certifications/{certification}/override", "post", "Set a certification's status with a recorded reason (form, admins)", "application/x-www-form-urlencoded"),
    ("/certifications/{certification}/renewal", "post", "Confirm or update the statements for an open re-attestation or recertification (form, members)", "application/x-www-form-urlencoded"),
]
for path, method, summary, content in pages:
    answers={"303":{"description":"Not signed in: to /login" if method=="get" else "Done: to the page, with ?notice=<what happened> and an #anchor where it happened"},
               "400":{"description":"A path or query not in plain form, refused before any page is chosen (problem+json, /problems/malformed-path); or a form that cannot be read (the page)","content":{"application/problem+json":{"schema":S("Problem")},**html}},
               "401":R("Unauthenticated"),
               "403":{"description":"Another role's page, or a missing CSRF token","content":html},
               "404":{"description":"No such item","content":html}}
    if method=="get": answers["200"]={"description":"HTML","content":html}
    else: answers["4XX"]={"description":"The page again, with what went wrong (its codes in the X-Refusal header, as the API's field=code or problem type)","content":html}
    operation={"summary":summary,"tags":["pages"],"security":[{"session":[]}],"responses":answers}
    if content: operation["requestBody"]={"required":True,"content":{content:{"schema":{"type":"object"}}}}
    params=[P(n[1:-1]) for n in path.split("/") if n.startswith("{")]
    if params: operation["parameters"]=params
    paths.setdefault(path,{})[method]=operation
# A new account's one-time password is shown once, on the page the form answers with.
paths["/admin/users"]["post"]["responses"]["201"]={"description":"The accounts page with the new account's one-time password","content":html}
# Bulk supplier checks: public, JSON or CSV in and out.
csv_body={"text/csv":{"schema":{"type":"string"},"description":"RFC 4180; a header row optional; the first column is read. Cells that would start a formula are prefixed with '."}}
bulk=op("Check up to 10,000 ASNs, mark ids or names at once: one row per input, in order; readiness measured from public data for ASNs without a mark","verify",ok("BulkCheckResult"),["413","415","422"],body="BulkCheckInput",security=False)
bulk["requestBody"]["content"].update(csv_body)
bulk["responses"]["200"]["content"].update(csv_body)
bulk["responses"]["413"]=problem("More than 10,000 items (/problems/too-many-items), or a body over 4 MiB (/problems/body-too-large).")
bulk["parameters"]=[{"name":"Accept","in":"header","schema":{"type":"string"},"description":"text/csv or application/json; by default the request's format."}]
paths["/api/v1/verify/bulk"]={"post":bulk}
paths["/verify/bulk"]={
 "get":{"summary":"Check suppliers: paste or upload a list (no sign-in)","tags":["pages"],"security":[],"responses":{"200":{"description":"HTML","content":html}}},
 "post":{"summary":"Check suppliers: the table, or with format=csv a CSV download (form)","tags":["pages"],"security":[],
         "requestBody":{"required":True,"content":{"multipart/form-data":{"schema":{"type":"object"}},"application/x-www-form-urlencoded":{"schema":{"type":"object"}}}},
         "responses":{"200":{"description":"HTML with the table, or the CSV file","content":{**html,"text/csv":{"schema":{"type":"string"}}}},
                      "400":{"description":"A path or query not in plain form (problem+json)","content":{"application/problem+json":{"schema":S("Problem")}}},
                      "413":{"description":"The page again: more than 10,000 items, or a body over the limit","content":{**html,"application/problem+json":{"schema":S("Problem")}}},
                      "422":{"description":"The page again, with what went wrong","content":html}}}}

# Buyers' accounts, password reset and watchlists (issue 13), in one block.
schemas["DeliveryAttempt"]["properties"]["event"]["enum"] += ["account.verify_email","account.password_reset","account.already_registered","watchlist.status_changed"]
responses["Conflict"]["description"] = responses["Conflict"]["description"][:-2] + ", a link already used (/problems/link-used), expired (/problems/link-expired) or unknown (/problems/link-invalid), a watchlist name taken (/problems/watchlist-name-taken), too many watchlists (/problems/too-many-watchlists) or entries (/problems/watchlist-full))."
responses["RateLimited"]["description"] = "Too many failed password checks, or too many sign-up or reset requests for one address or from one client; Retry-After says when (/problems/rate-limited)."
parameters["watchlist"] = {"name":"watchlist","in":"path","required":True,"schema":uuid}
parameters["hook"] = {"name":"hook","in":"path","required":True,"schema":uuid,"description":"One of your webhook endpoints."}
parameters["entry"] = {"name":"entry","in":"path","required":True,"schema":{"type":"string","minLength":1,"maxLength":40},"description":"The entry as stored or typed: AS64500 or a mark id."}
watch_status = {"type":"string","enum":["active","warned","suspended","revoked","expired","withdrawn"]}
entry_text = {"type":"string","minLength":1,"maxLength":40,"description":"An AS number (AS64500 or 64500) or a mark id (MP-XXXX-XXXX-C)."}
schemas.update({
 "SignUpInput": obj({"email":{"type":"string","minLength":3,"maxLength":254},"display_name":name(100),"password":{"type":"string","minLength":12,"description":"At least 12 characters, at most 72 bytes."},"organisation":optional_text(200)},["email","display_name","password"]),
 "AccountRequestAccepted": obj({"detail":{"type":"string","description":"The same sentence whether or not the address has an account."}}),
 "LinkTokenInput": obj({"token":{"type":"string","minLength":1,"maxLength":100,"description":"The code from the emailed link (its token= parameter)."}}),
 "ForgotPasswordInput": obj({"email":{"type":"string","minLength":3,"maxLength":254}}),
 "ResetPasswordInput": obj({"token":{"type":"string","minLength":1,"maxLength":100},"new_password":{"type":"string","minLength":12}}),
 "Watchlist": obj({"id":uuid,"name":{"type":"string"},"entry_count":{"type":"integer","minimum":0},"created_at":dt,"updated_at":dt}),
 "WatchlistList": items("Watchlist"),
 "WatchlistInput": obj({"name":name(100),"entries":{"type":"array","items":entry_text,"maxItems":10000}},["name"]),
 "WatchlistRename": obj({"name":name(100)}),
 "WatchlistEntriesInput": obj({"entries":{"type":"array","items":entry_text,"minItems":1,"maxItems":10000},"note":optional_text(200)},["entries"]),
 "WatchlistEntriesAdded": obj({"added":{"type":"integer","minimum":0,"description":"How many were not on the list already."}}),
 "WatchedCertification": obj({"program":{"type":"string"},"status":watch_status,"mark_id":{"type":"string"},"valid_until":dt},["program","status"]),
 "WatchEntry": obj({"kind":{"type":"string","enum":["mark","asn"]},"value":{"type":"string"},"note":{"type":"string"},"added_at":dt,"certifications":{"type":"array","items":S("WatchedCertification")},"status":{"type":"string","description":"In words: each program's state (\"netops: valid, with a warning\"), or \"not certified\"."}}),
 "WatchlistDetail": obj({"watchlist":S("Watchlist"),"entries":{"type":"array","items":S("WatchEntry")}}),
 "UserWebhookEndpoint": obj({"id":uuid,"url":{"type":"string"},"description":{"type":"string"},"created_at":dt}),
 "UserWebhookEndpointList": items("UserWebhookEndpoint"),
 "UserWebhookRegistered": obj({"endpoint":S("UserWebhookEndpoint"),"secret":schemas["WebhookRegistered"]["properties"]["secret"]}),
})
csv_ok = {"200":{"description":"CSV (RFC 4180, CRLF): kind, entry, status, marks, valid_until, note; cells starting with = + - @ get a leading apostrophe","content":{"text/csv":{"schema":{"type":"string"}}}}}
paths.update({
 "/api/v1/signup":{"post":op("Sign up as a buyer (role enterprise): the account stays unverified until the emailed link is followed; the same answer for an address that has an account","accounts",ok("AccountRequestAccepted","202","Accepted"),W+["429"],body="SignUpInput",security=False)},
 "/api/v1/signup/verify":{"post":op("Confirm a sign-up's email address with the emailed code; the account may sign in from then on","accounts",{"204":{"description":"Confirmed"}},W+["409"],body="LinkTokenInput",security=False)},
 "/api/v1/password/forgot":{"post":op("Email a single-use link (one hour) to set a new password; the same answer for an unknown address","accounts",ok("AccountRequestAccepted","202","Accepted"),W+["429"],body="ForgotPasswordInput",security=False)},
 "/api/v1/password/reset":{"post":op("Set a new password with the emailed code: every session of the account ends","accounts",{"204":{"description":"Set"}},W+["409"],body="ResetPasswordInput",security=False)},
 "/api/v1/watchlists":{
   "get":op("Your watchlists (enterprise users)","accounts",ok("WatchlistList"),["401","403"]),
   "post":op("Start a watchlist, optionally with its first ASNs and mark ids","accounts",ok("Watchlist","201","Created",location=True),W+["409"],body="WatchlistInput")},
 "/api/v1/watchlists/{watchlist}":{
   "get":op("A watchlist with each entry's current status: a mark's latest certification, an ASN's certifications by recorded scope, or not certified","accounts",ok("WatchlistDetail"),["401","403","404"],["watchlist"]),
   "patch":op("Rename a watchlist","accounts",ok("Watchlist"),W+["404","409"],["watchlist"],"WatchlistRename"),
   "delete":op("Delete a watchlist","accounts",{"204":{"description":"Deleted"}},["401","403","404"],["watchlist"])},
 "/api/v1/watchlists/{watchlist}/entries":{"post":op("Add ASNs and mark ids (every one checked before any is added)","accounts",ok("WatchlistEntriesAdded"),W+["404","409"],["watchlist"],"WatchlistEntriesInput")},
 "/api/v1/watchlists/{watchlist}/entries/{entry}":{"delete":op("Remove an entry","accounts",{"204":{"description":"Removed"}},["401","403","404"],["watchlist","entry"])},
 "/api/v1/watchlists/{watchlist}/csv":{"get":op("The watchlist as CSV, with each entry's current status","accounts",csv_ok,["401","403","404"],["watchlist"])},
 "/api/v1/users/me/webhooks":{
   "get":op("Your webhook endpoints, told of every change on your watchlists","accounts",ok("UserWebhookEndpointList"),["401","403"]),
   "post":op("Register a webhook endpoint for your watchlists; the answer carries its signing secret, shown this once","accounts",ok("UserWebhookRegistered","201","Created",location=True),W,body="WebhookInput")},
 "/api/v1/users/me/webhooks/{hook}":{"delete":op("Delete one of your webhook endpoints","accounts",{"204":{"description":"Deleted"}},["401","403","404"],["hook"])},
 "/api/v1/users/me/webhooks/{hook}/deliveries":{"get":op("Your endpoint's delivery log, latest first","accounts",ok("DeliveryAttemptList"),["401","403","404","422"],["hook","limit"])},
})
form_body = lambda fields, required: {"required":True,"content":{"application/x-www-form-urlencoded":{"schema":obj({f:{"type":"string"} for f in fields}, required)}}}
anonymous_answers = lambda done: {"200":{"description":"HTML form","content":html},**done,"403":{"description":"Missing or stale CSRF field (HTML)","content":html},"4XX":{"description":"The form again, with what went wrong (HTML; codes in X-Refusal)","content":html}}
for path, summary, fields, done in [
    ("/signup", "Sign up as a buyer (form with a CSRF cookie and field); the same answer for an address that has an account", ["csrf","email","display_name","organisation","password"], {"202":{"description":"The page saying a link is on its way","content":html},"429":{"description":"Too many requests; Retry-After says when (HTML)","content":html}}),
    ("/verify-email", "Confirm an email address: GET (with ?token=) shows the form, POST uses the link", ["csrf","token"], {"303":{"description":"Confirmed: to /login?notice=email-confirmed"}}),
    ("/password/forgot", "Ask for a link to set a new password; the same answer for an unknown address", ["csrf","email"], {"202":{"description":"The page saying a link is on its way","content":html},"429":{"description":"Too many requests; Retry-After says when (HTML)","content":html}}),
    ("/password/reset", "Set a new password with the emailed link: GET (with ?token=) shows the form, POST sets it and ends every session", ["csrf","token","new_password"], {"303":{"description":"Set: to /login?notice=password-reset, session cookie cleared"}}),
]:
    answers = anonymous_answers(done)
    paths[path] = {
        "get":{"summary":summary,"tags":["pages"],"security":[],"responses":{"200":answers["200"],"400":{"description":"A path or query not in plain form","content":{"application/problem+json":{"schema":S("Problem")}}}}},
        "post":{"summary":summary,"tags":["pages"],"security":[],"requestBody":form_body(fields, ["csrf"]),"responses":{k:v for k,v in answers.items() if k != "200"} | {"400":{"description":"A path or query not in plain form","content":{"application/problem+json":{"schema":S("Problem")}}}}},
    }
for path, method, summary, content in [
    ("/watchlists", "get", "Your watchlists with each entry's current status, CSV links and your webhooks (enterprise users)", None),
    ("/watchlists", "post", "Start a watchlist (form)", "application/x-www-form-urlencoded"),
    ("/watchlists/{watchlist}/entries", "post", "Add ASNs and mark ids (form)", "application/x-www-form-urlencoded"),
    ("/watchlists/{watchlist}/entries/remove", "post", "Remove an entry (form)", "application/x-www-form-urlencoded"),
    ("/watchlists/{watchlist}/delete", "post", "Delete a watchlist (form)", "application/x-www-form-urlencoded"),
    ("/watchlists/{watchlist}/csv", "get", "The watchlist as CSV (formula cells neutralised)", None),
    ("/account/webhooks", "post", "Register a webhook for your watchlists (form); answers 201 with the page showing its secret once", "application/x-www-form-urlencoded"),
    ("/account/webhooks/{hook}/delete", "post", "Delete one of your webhooks (form)", "application/x-www-form-urlencoded"),
]:
    answers={"303":{"description":"Not signed in: to /login" if method=="get" else "Done: to /watchlists?notice=<what happened>"},
               "400":{"description":"A path or query not in plain form, or a form that cannot be read","content":{"application/problem+json":{"schema":S("Problem")},**html}},
               "401":R("Unauthenticated"),
               "403":{"description":"Another role's page, or a missing CSRF token","content":{"application/problem+json":{"schema":S("Problem")},**html}},
               "404":{"description":"No such watchlist of yours","content":{"application/problem+json":{"schema":S("Problem")},**html}}}
    if method=="get": answers["200"]={"description":"HTML" if not path.endswith("/csv") else "CSV","content":html if not path.endswith("/csv") else csv_ok["200"]["content"]}
    else: answers["4XX"]={"description":"The page again, with what went wrong (its codes in the X-Refusal header)","content":html}
    if path == "/account/webhooks": answers["201"]={"description":"The watchlists page with the new webhook's secret, shown once","content":html}
    operation={"summary":summary,"tags":["pages"],"security":[{"session":[]}],"responses":answers}
    if content: operation["requestBody"]={"required":True,"content":{content:{"schema":{"type":"object"}}}}
    params=[P(n[1:-1]) for n in path.split("/") if n.startswith("{")]
    if params: operation["parameters"]=params
    paths.setdefault(path,{})[method]=operation

# Re-attestation and recertification (issue 12 §3, attest helper), in one block.
schemas["DeliveryAttempt"]["properties"]["event"]["enum"] += ["certification.reattestation_due","certification.recertification_due"]
schemas["RenewalInput"]=obj({"kind":{"type":"string","enum":["reattestation","recertification"]},"statement":name(20000)},["kind","statement"])
paths["/api/v1/certifications/{certification}/renewals"]={"post":op("Confirm or update the statements and evidence for the certification's open re-attestation or recertification (the participant's members), before its due date; the auditors then decide its review item","workflow",{"204":{"description":"Confirmed"}},W+["404","409"],["certification"],"RenewalInput")}
# The public registry of marks (issue 13), in one block: every mark, searched and filtered, paged.
schemas["RegistryEntry"]=obj({"mark":{"type":"string"},"organisation":{"type":"string"},"display_name":{"type":"string"},"country":{"type":"string","pattern":"^[A-Z]{2}$"},
 "program":{"type":"string"},"program_name":{"type":"string"},"tier":tier,"tier_name":{"type":"string"},"status":watch_status,
 "status_text":{"type":"string","description":"The status as buyers read it: valid, valid with a warning, suspended, revoked, expired, withdrawn."},
 "since":dt,"valid_until":dt})
schemas["RegistryPage"]=page("RegistryEntry")
registry_params=[q("q","2 to 100 characters: part of the holder's name, an ASN (AS3333 or 3333) or a mark id."),
 q("program","A program code (GET /api/v1/programs)."),q("tier","baseline or plus.",{"type":"string"}),q("country","An ISO 3166-1 alpha-2 code, such as NL."),
 q("status","active, warned, suspended, revoked, expired or withdrawn.",{"type":"string"}),q("cursor","next_cursor of the previous page."),
 q("limit","1 to 200 marks per page (50 by default).",{"type":"string"})]
paths["/api/v1/registry"]={"get":public_get("The public registry: every mark with its holder, program, tier, country and status now (lapsed marks stay listed), by holder name, paged",S("RegistryPage"),params=registry_params,
 desc="Filters combine; an empty parameter is no filter. Ordered by the holder's legal name, then mark id.")}
# An unreadable filter (an unknown program, tier, country or status, a search outside 2 to 100
# characters, a limit outside 1 to 200, a cursor this server did not return) or a control
# character in the query: 422, each parameter in `errors`.
paths["/api/v1/registry"]["get"]["responses"]["422"]=R("Invalid")
paths["/registry"]={"get":{"summary":"The public registry of marks: search and filters in a GET form, so results are linkable (no sign-in)","tags":["pages"],"security":[],"parameters":registry_params,
 "responses":{"200":{"description":"HTML","content":html},"400":{"description":"A path or query not in plain form (problem+json)","content":{"application/problem+json":{"schema":S("Problem")}}},"422":{"description":"The page again, saying which filter could not be read (HTML), or a control character in the query (problem+json)","content":{**html,"application/problem+json":{"schema":S("Problem")}}}}}}

# Only reads answer 304.
for item in paths.values():
    for method, operation in item.items():
        if method != "get": operation.get("responses", {}).pop("304", None)
# OpenAPI links: the ids a response gives, which open the operations that need them. A client (and
# schemathesis's stateful phase, which `make fuzz` runs) follows them instead of guessing ids. Each
# response below gives the named path parameters, and If-Match (its ETag) to the changes of the
# resource at its path (or at "ETag of"). Every API operation that needs a parameter it gives gets
# a link, so a new route under /participants/{participant} is linked from a new participant
# without an edit here. The response's own path parameters pass on.
gives={
 ("post","/api/v1/participants","201"):{"participant":"$response.body#/id"},
 ("get","/api/v1/participants","200"):{"participant":"$response.body#/items/0/id"},
 ("get","/api/v1/participants/{participant}","200"):{"If-Match":"$response.header.ETag"},
 ("post","/api/v1/participants/{participant}/resources","201"):{"resource":"$response.body#/id"},
 ("get","/api/v1/participants/{participant}/resources","200"):{"resource":"$response.body#/items/0/id"},
 ("post","/api/v1/participants/{participant}/contacts","201"):{"contact":"$response.body#/id"},
 ("post","/api/v1/participants/{participant}/webhooks","201"):{"endpoint":"$response.body#/endpoint/id"},
 ("get","/api/v1/participants/{participant}/webhooks","200"):{"endpoint":"$response.body#/items/0/id"},
 ("get","/api/v1/participants/{participant}/contacts","200"):{"contact":"$response.body#/items/0/id"},
 ("get","/api/v1/participants/{participant}/contacts/{contact}","200"):{"If-Match":"$response.header.ETag"},
 ("post","/api/v1/applications","201"):{"application":"$response.body#/id","participant":"$response.body#/participant_id"},
 ("get","/api/v1/applications","200"):{"application":"$response.body#/items/0/id"},
 ("get","/api/v1/applications/{application}","200"):{"action":"$response.body#/missing/0/action","If-Match":"$response.header.ETag"},
 ("put","/api/v1/applications/{application}/commitments/{action}","200"):{"If-Match":"$response.header.ETag","ETag of":"/api/v1/applications/{application}"},
 ("post","/api/v1/applications/{application}/commitments/{action}/evidence","201"):{"evidence":"$response.body#/id"},
 ("get","/api/v1/applications/{application}/evidence","200"):{"evidence":"$response.body#/items/0/id"},
 ("get","/api/v1/review-queue","200"):{"item":"$response.body#/items/0/id"},
 ("post","/api/v1/users","201"):{"user":"$response.body#/user/id"},
 ("get","/api/v1/users","200"):{"user":"$response.body#/items/0/id"},
 ("get","/api/v1/users/{user}","200"):{"If-Match":"$response.header.ETag"},
 ("post","/api/v1/users/me/tokens","201"):{"token":"$response.body#/token/id"},
 ("post","/api/v1/users/me/affiliations","201"):{"affiliation":"$response.body#/id"},
 ("get","/api/v1/certifications","200"):{"certification":"$response.body#/items/0/id"},
 ("post","/api/v1/programs/{program}/versions","201"):{"version":"$response.body#/version"},
 ("get","/api/v1/programs/{program}/versions/{version}","200"):{"If-Match":"$response.header.ETag"},
 ("post","/api/v1/watchlists","201"):{"watchlist":"$response.body#/id"},
 ("get","/api/v1/watchlists","200"):{"watchlist":"$response.body#/items/0/id"},
 ("post","/api/v1/users/me/webhooks","201"):{"hook":"$response.body#/endpoint/id"},
}
# Ids that go into a request body rather than a path: (response, operation, body).
feeds=[
 (("post","/api/v1/participants","201"),("post","/api/v1/applications"),{"participant_id":"$response.body#/id","program":"$response.body#/programs/0"}),
 (("get","/api/v1/participants","200"),("post","/api/v1/applications"),{"participant_id":"$response.body#/items/0/id","program":"$response.body#/items/0/programs/0"}),
 (("post","/api/v1/participants","201"),("post","/api/v1/users/me/affiliations"),{"participant_id":"$response.body#/id"}),
 (("post","/api/v1/users","201"),("post","/api/v1/review-queue/{item}/assign"),{"auditor_id":"$response.body#/user/id"}),
]
def template_parameters(path): return {part[1:-1] for part in path.split("/") if part.startswith("{")}
def operation_ref(path, method): return "#/paths/"+path.replace("~","~0").replace("/","~1")+"/"+method
def link_name(path, method): return method+"".join(part.strip("{}").title().replace("-","").replace(".","") for part in path.split("/")[3:])
takes_if_match=lambda operation: {"$ref":"#/components/parameters/IfMatch"} in operation.get("parameters", [])
for (method, path, status), given in gives.items():
    values={name:f"$request.path.{name}" for name in template_parameters(path)} | given
    links={}
    # The API's operations only: the pages take a browser session, which no link carries.
    for target, item in paths.items():
        if not target.startswith("/api/"): continue
        needed=template_parameters(target)
        for target_method, operation in item.items():
            etag_of=given.get("ETag of", path)
            if_match="If-Match" in given and takes_if_match(operation) and (target == etag_of or target.startswith(etag_of+"/"))
            new=needed & given.keys() or if_match
            if (target, target_method) == (path, method) or not needed <= values.keys() or not new: continue
            arguments={name:values[name] for name in sorted(needed)}
            if if_match: arguments["header.If-Match"]=given["If-Match"]
            links[link_name(target, target_method)]={"operationRef":operation_ref(target, target_method),"parameters":arguments}
    for (source, (target_method, target), body) in feeds:
        if source == (method, path, status): links[link_name(target, target_method)]={"operationRef":operation_ref(target, target_method),"requestBody":body}
    if links: paths[path][method]["responses"][status]["links"]=links
doc={"openapi":"3.1.0","info":{"title":"MANRS+ certification API","version":"1","description":"The registry of MANRS+: programs and versioned action catalogs, participants with their resources and contacts, accounts and API tokens. Errors are RFC 9457 application/problem+json (docs/api.md lists the types). Who may call what: docs/authorization.md."},
 "servers":[{"url":"/"}],
 "security":[{"bearer":[]},{"session":[]}],
 "tags":[{"name":n} for n in ["catalogs","participants","workflow","audit","accounts","measurement","meta","pages","operations","jobs","marks"]],
 "tags":[{"name":n} for n in ["catalogs","participants","workflow","audit","accounts","measurement","meta","pages","operations","jobs","verify"]],
 "paths":paths,
 "components":{"schemas":schemas,"responses":responses,"parameters":parameters,
   "securitySchemes":{"bearer":{"type":"http","scheme":"bearer","description":"An API token, mp_…, from POST /api/v1/users/me/tokens or the account page."},
                      "session":{"type":"apiKey","in":"cookie","name":"manrs_session","description":"Browser session from /login; changes also need the X-CSRF-Token header."}}}}
import os; open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'openapi.json'),'w').write(json.dumps(doc,indent=2)+"\n")
print(len(paths))
