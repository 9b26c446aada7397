#!/usr/bin/env python3
"""The MANRS+ certification walked through the pages in headless Chromium (run by
scripts/browser-test.sh, `make test-browser`, against a fresh demo database).

Three separate browser sessions (the applicant, two auditors), the whole walk once at desktop
width (1280 px) and once at phone width (390 px):
  - the applicant signs in from a page that asked for it and lands back on it, starts a MANRS+
    application for RIPE NCC (the dashboard then no longer offers a second one for the program),
    commits to every action, uploads a document, gives a URL, submits;
  - auditor 1 opens the item before claiming it, sees the action descriptions and the
    measurement results, claims it, requests changes with a comment on one action and reasons;
  - the applicant sees that comment next to the action and the reasons in a summary, fixes the
    statement and submits again;
  - auditor 1 claims and approves, and then has no Claim button for the item (four eyes);
  - auditor 2 sees round 1's request and auditor 1's approval, claims and approves;
  - the applicant's page shows "Certified until <date>", the dashboard says "certified";
  - the secretariat (a fourth session) disables and enables an account, starts a draft of a
    catalog, edits and publishes it after a confirmation, and withdraws and gives back a
    resource's verification.
  - the applicant opens the participant's registry data from the dashboard, adds a resource (a
    refused one first, whose typed value stays) and reads what verifying it needs, adds a
    contact and changes it;
  - a buyer without an account filters the public registry to suspended marks, opens one and
    reads its status and how far apart its check's inputs were, then checks a supplier list on
    the bulk page (a certified, a suspended and an uncertified network).
After every page load: a notice (role="status") after each save, the page scrolled to the block
that was saved, no console errors, no sideways scrolling of the page, and every link, button and
field inside the viewport horizontally.
"""
import os
import re
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = sys.argv[1].rstrip("/")
APPLICANT = ("applicant@demo.example", "demo-applicant-password")
AUDITOR_1 = ("auditor@demo.example", "demo-auditor-password")
AUDITOR_2 = ("auditor2@demo.example", "demo-auditor2-password")
ADMIN = ("admin@demo.example", "demo-admin-password")
PARTICIPANT = "RIPE NCC"
PROGRAM = "Network operators"
checks = 0


class Failure(Exception):
    pass


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        raise Failure(message)


class Browser:
    """One person's browser session at one width."""

    def __init__(self, name, width):
        self.name = name
        self.width = width
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},900"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = webdriver.ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_window_size(width, 900)

    def quit(self):
        self.driver.quit()

    # Navigation

    def open(self, path):
        self.driver.get(BASE + path)
        self.inspect()

    def click(self, element, refused=None):
        """Clicks a button or link that loads a page, and waits for the new page. `refused`: the
        status of a form the server is expected to refuse (the page again, with the refusal),
        which the console reports about that page and nothing else."""
        # A mark on the old page's window: the new page has none (more robust than waiting for
        # an element to go stale, which Chromium sometimes reports as another error).
        self.driver.execute_script("window.__before_click = true; arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        WebDriverWait(self.driver, 20, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return window.__before_click === undefined && document.readyState === 'complete'"))
        self.inspect(refused)

    def sign_in(self, credentials, asked_for):
        self.driver.get(BASE + asked_for)
        check("/login" in self.driver.current_url, f"{self.name}: {asked_for} did not ask to sign in")
        self.inspect()
        check(not self.buttons("Sign out"), f"{self.name}: a visitor is offered to sign out")
        self.driver.find_element(By.ID, "email").send_keys(credentials[0])
        self.driver.find_element(By.ID, "password").send_keys(credentials[1])
        self.click(self.button("Sign in"))
        check(self.path() == asked_for, f"{self.name}: after signing in, landed on {self.path()}, not {asked_for}")

    # Reading

    def path(self):
        url = self.driver.current_url[len(BASE):]
        return url.split("#")[0].split("?")[0]

    def text(self, element=None):
        return (element or self.driver.find_element(By.TAG_NAME, "body")).text

    def buttons(self, label, within=None):
        scope = within or self.driver
        return [b for b in scope.find_elements(By.CSS_SELECTOR, "button, input[type=submit]") if b.text.strip() == label or b.get_attribute("value") == label and b.tag_name == "input"]

    def button(self, label, within=None):
        found = self.buttons(label, within)
        check(found, f"{self.name}: no button {label!r} on {self.path()}")
        return found[0]

    def link(self, label, within=None):
        found = [a for a in (within or self.driver).find_elements(By.TAG_NAME, "a") if a.text.strip() == label]
        check(found, f"{self.name}: no link {label!r} on {self.path()}")
        return found[0]

    def notice(self):
        found = [n.text for n in self.driver.find_elements(By.CSS_SELECTOR, "[role=status]") if n.is_displayed()]
        return " ".join(found)

    def expect_notice(self, words):
        check(words.lower() in self.notice().lower(), f"{self.name}: no notice {words!r} on {self.path()} (found {self.notice()!r})")

    def expect_no_error(self):
        errors = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "[role=alert]")]
        check(not errors, f"{self.name}: an error on {self.path()}: {errors}")

    def block(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def inspect(self, refused=None):
        """What every page must do at every width: no console errors, no sideways scrolling,
        every control inside the viewport."""
        expected = f"the server responded with a status of {refused} " if refused else None
        for entry in self.driver.get_log("browser"):
            if expected and expected in entry["message"] and self.path() in entry["message"]:
                continue
            check(entry["level"] != "SEVERE", f"{self.name}: console error on {self.path()}: {entry['message']}")
        layout = self.driver.execute_script(
            """
            const width = window.innerWidth;
            const outside = [];
            for (const e of document.querySelectorAll('a, button, input, select, textarea')) {
              const r = e.getBoundingClientRect();
              if (r.width === 0 && r.height === 0) continue;
              if (e.type === 'hidden') continue;
              const left = r.left + window.scrollX, right = r.right + window.scrollX;
              if (left < -1 || right > width + 1) outside.push((e.innerText || e.name || e.id || e.tagName).trim().slice(0, 40) + ' (' + Math.round(left) + '..' + Math.round(right) + ')');
            }
            return {width, scroll: document.documentElement.scrollWidth, outside};
            """
        )
        check(layout["scroll"] <= layout["width"], f"{self.name}: {self.path()} scrolls sideways at {self.width} px ({layout['scroll']} > {layout['width']})")
        check(not layout["outside"], f"{self.name}: off-screen at {self.width} px on {self.path()}: {layout['outside'][:5]}")

    def scrolled_to(self, anchor):
        """The page came back at the block that was saved."""
        check(self.driver.current_url.endswith("#" + anchor), f"{self.name}: returned to {self.driver.current_url}, not #{anchor}")
        top = self.driver.execute_script("const e = document.getElementById(arguments[0]); return e ? e.getBoundingClientRect().top : null", anchor)
        check(top is not None and -5 <= top < 900, f"{self.name}: #{anchor} is not in view (top {top})")


def set_date(driver, element, value):
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def actions_of(browser):
    return [a.get_attribute("id")[len("action-"):] for a in browser.driver.find_elements(By.CSS_SELECTOR, "article[id^=action-]")]


def commit_everything(applicant, evidence_file):
    codes = actions_of(applicant)
    check(len(codes) == 9, f"expected the 9 MANRS+ actions of netops, found {codes}")
    text = applicant.text()
    check("Measured automatically from public routing data; nothing to upload" in text, "measurement evidence is not explained")
    check("round 0" not in text.lower() and "catalog version" not in text.lower(), "the application page speaks of rounds or catalog versions")
    for code in codes:
        block = applicant.block("action-" + code)
        area = block.find_elements(By.CSS_SELECTOR, "textarea[name=statement]")
        if area:
            area[0].send_keys(f"We implement {code}: every eBGP session is filtered and monitored by our NOC.")
            applicant.click(applicant.button(f"Commit to {code}", block))
        else:
            applicant.click(applicant.button(f"Commit to {code}", block))
        applicant.expect_no_error()
        applicant.expect_notice("saved")
        applicant.scrolled_to("action-" + code)
    # A document for netops.1, a URL for the spoofer tests.
    block = applicant.block("action-netops.1")
    check("Covers from" in block.text and "the first day" in block.text.lower(), "the 'Covers from' date is not explained")
    block.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(evidence_file)
    set_date(applicant.driver, block.find_element(By.CSS_SELECTOR, "input[name=effective_from]"), "2026-01-01")
    applicant.click(applicant.button("Upload", block))
    applicant.expect_no_error()
    applicant.expect_notice("evidence")
    applicant.scrolled_to("action-netops.1")
    block = applicant.block("action-netops.plus.spoofer")
    block.find_element(By.CSS_SELECTOR, "input[name=url]").send_keys("https://spoofer.caida.org/report.php?sessionid=1")
    set_date(applicant.driver, block.find_element(By.CSS_SELECTOR, "input[name=effective_from]"), "2026-01-01")
    applicant.click(applicant.button("Add the URL", block))
    applicant.expect_no_error()
    applicant.expect_notice("evidence")


def claim(auditor):
    """From the queue: opens the item first (to look before claiming), then claims it."""
    auditor.open("/queue")
    rows = [r for r in auditor.driver.find_elements(By.CSS_SELECTOR, ".queue-item") if PARTICIPANT in r.text and PROGRAM in r.text]
    check(rows, f"{auditor.name}: the application is not in the queue")
    auditor.click(auditor.link("Open", rows[0]))
    check(auditor.path().startswith("/review/"), f"{auditor.name}: Open went to {auditor.path()}")
    review = auditor.path()
    text = auditor.text()
    check("Measurements" in text, f"{auditor.name}: no measurement results on the review page")
    check("AS3333" in auditor.block("measurements").text, f"{auditor.name}: the measurements do not name the participant's ASN")
    check("route origin validation drops invalids" in text, f"{auditor.name}: no action descriptions on the review page")
    auditor.click(auditor.button("Claim"))
    auditor.expect_no_error()
    auditor.expect_notice("claimed")
    check(auditor.path() == review, f"{auditor.name}: claiming went to {auditor.path()}")


def decide(auditor, decision, comments, reasons):
    for code, comment in comments.items():
        block = auditor.block("action-" + code)
        block.find_element(By.CSS_SELECTOR, f"textarea[name='comment_{code}']").send_keys(comment)
    form = auditor.block("decision")
    form.find_element(By.CSS_SELECTOR, f"input[name=decision][value={decision}]").click()
    if reasons:
        form.find_element(By.CSS_SELECTOR, "textarea[name=reasons]").send_keys(reasons)
    auditor.click(auditor.button("Record the decision"))
    auditor.expect_no_error()
    auditor.expect_notice("decision")


def card(browser, selector, words):
    found = [c for c in browser.driver.find_elements(By.CSS_SELECTOR, selector) if words in c.text]
    check(found, f"{browser.name}: no {selector} with {words!r} on {browser.path()}")
    return found[0]


def administer(width):
    """The secretariat at this width: disables and enables an account, starts a draft of the CDN
    catalog, edits it, publishes it after the confirmation, withdraws a verification and
    verifies the resource again from the claims awaiting verification."""
    started = time.time()
    admin = Browser(f"admin@{width}", width)
    try:
        admin.sign_in(ADMIN, "/admin/users")
        check("never" in admin.text() or "last signed in" in admin.text(), "the accounts page does not say when people last signed in")
        account = card(admin, "li.card", "operator@demo.example")
        check("This is your account" in card(admin, "li.card", ADMIN[0]).text, "the admin's own account offers to lock them out")
        admin.click(admin.button("Disable Kim Operator", account))
        admin.expect_no_error()
        admin.expect_notice("disabled")
        account = card(admin, "li.card", "operator@demo.example")
        check("disabled" in account.text, "the disabled account does not say so")
        admin.scrolled_to(account.get_attribute("id"))
        admin.click(admin.button("Enable Kim Operator", account))
        admin.expect_no_error()
        admin.expect_notice("enabled")

        admin.open("/admin/catalogs")
        program = card(admin, "section.program", "CDN and cloud providers")
        admin.click(admin.button(next(b.text for b in program.find_elements(By.TAG_NAME, "button") if b.text.startswith("Start a draft")), program))
        admin.expect_no_error()
        admin.expect_notice("draft started")
        draft = admin.path()
        check("Automated checks" in admin.text() or "Evidence" in admin.text(), "the draft's actions are not shown in words")
        area = admin.driver.find_element(By.ID, "document")
        admin.driver.execute_script(
            "const d = JSON.parse(arguments[0].value); d.actions[0].title = d.actions[0].title + ' (revised)'; arguments[0].value = JSON.stringify(d, null, 2);",
            area)
        admin.click(admin.button("Save the draft"))
        admin.expect_no_error()
        admin.expect_notice("saved")
        check("(revised)" in admin.block("actions").text, "the saved title is not shown in the actions")
        admin.click(admin.link("Publish this version…"))
        check("never changes" in admin.text(), "the confirmation does not say that a published version never changes")
        admin.click(admin.button(next(b.text for b in admin.driver.find_elements(By.TAG_NAME, "button") if b.text.startswith("Publish version"))))
        admin.expect_no_error()
        admin.expect_notice("published")
        check(admin.path() == draft and not admin.driver.find_elements(By.ID, "document"), "a published version still has an editor")

        admin.open("/admin/resources")
        Select(admin.driver.find_element(By.ID, "participant")).select_by_visible_text("Telenor Denmark")
        admin.click(admin.button("Show"))
        resource = [c for c in admin.driver.find_elements(By.CSS_SELECTOR, "li.resource") if c.text.startswith("AS9158 ")][0]
        resource.find_element(By.CSS_SELECTOR, "input[name=reason]").send_keys("Browser test: withdrawn to verify again.")
        admin.click(admin.button("Withdraw the verification", resource))
        admin.expect_no_error()
        admin.expect_notice("withdrawn")
        admin.open("/admin/resources")
        resource = [c for c in admin.driver.find_elements(By.CSS_SELECTOR, "li.resource") if c.text.startswith("AS9158 ")]
        check(resource, "the withdrawn ASN does not await verification")
        resource = resource[0]
        check("Telenor Denmark" in resource.text, "a claim awaiting verification does not name its participant")
        check("RIR" in resource.text, "an ASN's claim does not say what verifies it")
        resource.find_element(By.CSS_SELECTOR, "input[name=reason]").send_keys("RIPE database: aut-num AS9158 names Telenor.")
        admin.click(admin.button("Verify AS9158", resource))
        admin.expect_no_error()
        admin.expect_notice("verified")
        check(not [c for c in admin.driver.find_elements(By.CSS_SELECTOR, "li.resource") if c.text.startswith("AS9158 ")],
              "the verified claim is still awaiting verification")
    finally:
        admin.quit()
    print(f"  secretariat at {width} px: {time.time() - started:.1f} s")
def edit_registry(applicant, width):
    """The applicant on the participant's registry page: adds a resource (a refused one first,
    whose typed value stays), reads what verifying it needs, adds a contact and changes it."""
    page = applicant.path()
    check(re.fullmatch(r"/participants/[0-9a-f-]{36}", page), f"the registry link went to {page}")
    # Each width adds its own, as both walks share one database.
    asn, email = {1280: ("AS12654", "security-desk@ripencc.demo.example"), 390: ("AS25152", "security-phone@ripencc.demo.example")}[width]

    form = applicant.block("add-resource")
    Select(form.find_element(By.CSS_SELECTOR, "select[name=kind]")).select_by_value("asn")
    form.find_element(By.CSS_SELECTOR, "input[name=value]").send_keys("AS64512")
    applicant.click(applicant.button("Add the resource", form), refused=422)
    errors = [e.text for e in applicant.driver.find_elements(By.CSS_SELECTOR, "[role=alert]")]
    check(errors and "AS64512" in errors[0], f"a private ASN was not refused with a sentence naming it: {errors}")
    typed = applicant.block("add-resource").find_element(By.CSS_SELECTOR, "input[name=value]")
    check(typed.get_attribute("value") == "AS64512", "the refused resource form lost what was typed")
    typed.clear()
    typed.send_keys(asn)
    applicant.click(applicant.button("Add the resource", applicant.block("add-resource")))
    applicant.expect_no_error()
    applicant.expect_notice("resource added")
    applicant.scrolled_to("resources")
    cards = [c for c in applicant.block("resources").find_elements(By.CSS_SELECTOR, "li.card") if c.text.startswith(asn)]
    check(cards, f"{asn} is not listed after adding it")
    check("not verified yet" in cards[0].text and "regional internet registry" in cards[0].text,
          f"the new claim does not say it is unverified and what verifying it needs: {cards[0].text!r}")

    form = applicant.block("add-contact")
    Select(form.find_element(By.CSS_SELECTOR, "select[name=role]")).select_by_value("security")
    form.find_element(By.CSS_SELECTOR, "input[name=name]").send_keys("Security desk")
    form.find_element(By.CSS_SELECTOR, "input[name=email]").send_keys(email)
    applicant.click(applicant.button("Add the contact", form))
    applicant.expect_no_error()
    applicant.expect_notice("contact added")
    applicant.scrolled_to("contacts")
    cards = [c for c in applicant.block("contacts").find_elements(By.CSS_SELECTOR, "li.card") if email in c.text]
    check(cards, f"the new contact {email} is not listed")
    card_id = cards[0].get_attribute("id")
    cards[0].find_element(By.TAG_NAME, "summary").click()
    phone = cards[0].find_element(By.CSS_SELECTOR, "input[name=phone]")
    phone.send_keys("+31 20 535 4444")
    cards[0].find_element(By.CSS_SELECTOR, "input[name=available_24x7]").click()
    applicant.inspect()
    applicant.click(applicant.button("Save the contact", cards[0]))
    applicant.expect_no_error()
    applicant.expect_notice("contact saved")
    applicant.scrolled_to(card_id)
    saved = applicant.block(card_id).text
    check("+31 20 535 4444" in saved and "24/7" in saved, f"the changed contact does not show its phone and 24/7: {saved!r}")


def walk(width, evidence_file):
    started = time.time()
    applicant = Browser(f"applicant@{width}", width)
    auditor1 = Browser(f"auditor1@{width}", width)
    auditor2 = Browser(f"auditor2@{width}", width)
    try:
        applicant.sign_in(APPLICANT, "/applications")
        section = [s for s in applicant.driver.find_elements(By.CSS_SELECTOR, "section.participant") if s.find_element(By.TAG_NAME, "h2").text.startswith(PARTICIPANT + " (")]
        check(section, "the dashboard does not list RIPE NCC")
        check("netops" not in section[0].find_element(By.TAG_NAME, "h2").text, "the dashboard shows program codes")
        Select(section[0].find_element(By.CSS_SELECTOR, "select[name=program]")).select_by_visible_text(PROGRAM)
        Select(section[0].find_element(By.CSS_SELECTOR, "select[name=tier]")).select_by_value("plus")
        applicant.click(applicant.button("Start an application", section[0]))
        applicant.expect_no_error()
        applicant.expect_notice("started")
        check(re.fullmatch(r"/applications/[0-9a-f-]{36}", applicant.path()), f"starting went to {applicant.path()}")
        application = applicant.path()

        applicant.open("/applications")
        section = [s for s in applicant.driver.find_elements(By.CSS_SELECTOR, "section.participant") if s.find_element(By.TAG_NAME, "h2").text.startswith(PARTICIPANT + " (")][0]
        options = [o.text for o in section.find_elements(By.CSS_SELECTOR, "select[name=program] option")]
        check(PROGRAM not in options, f"the dashboard offers a second {PROGRAM} application while one is open")
        check("open application" in section.text.lower(), "the dashboard does not say where the open application is")
        opens = [a for a in section.find_elements(By.CSS_SELECTOR, f"a[href='{application}']") if a.text.strip() == "Open"]
        check(opens, "the dashboard has no Open link for the new application")
        applicant.click(opens[0])
        check(applicant.path() == application, f"the dashboard's Open link leads to {applicant.path()}, not {application}")

        commit_everything(applicant, evidence_file)
        applicant.click(applicant.button("Submit for review"))
        applicant.expect_no_error()
        applicant.expect_notice("submitted")
        check("submitted" in applicant.text().lower(), "the application does not say it was submitted")

        # Round 1: auditor 1 requests changes.
        auditor1.sign_in(AUDITOR_1, "/queue")
        claim(auditor1)
        comment = "Please describe the prefix filters applied to your customers' sessions."
        reasons = "The filtering statement does not cover customer sessions."
        decide(auditor1, "request_changes", {"netops.1": comment}, reasons)

        # The applicant sees the feedback next to the action and in a summary.
        applicant.open(application)
        feedback = applicant.block("feedback").text
        check(reasons in feedback, f"the applicant does not see the auditor's reasons: {feedback!r}")
        check(comment in feedback, "the summary does not hold the per-action comment")
        check("changes requested" in feedback.lower(), "the summary does not say changes were requested")
        check(comment in applicant.block("action-netops.1").text, "the auditor's comment is not next to its action")
        block = applicant.block("action-netops.1")
        area = block.find_element(By.CSS_SELECTOR, "textarea[name=statement]")
        area.send_keys(" Customer sessions are filtered with IRR-generated prefix lists, updated daily.")
        applicant.click(applicant.button("Update the statement", block))
        applicant.expect_no_error()
        applicant.expect_notice("saved")
        applicant.click(applicant.button("Submit for review"))
        applicant.expect_no_error()
        applicant.expect_notice("submitted")

        # Round 2: auditor 1 approves, then may not claim again; auditor 2 approves.
        claim(auditor1)
        check(comment in auditor1.text(), "auditor 1 does not see round 1's comment in round 2")
        decide(auditor1, "approve", {}, "")
        auditor1.open("/queue")
        rows = [r for r in auditor1.driver.find_elements(By.CSS_SELECTOR, ".queue-item") if PARTICIPANT in r.text and PROGRAM in r.text]
        check(rows and not auditor1.buttons("Claim", rows[0]), "auditor 1 is offered to claim an item they already decided")

        auditor2.sign_in(AUDITOR_2, "/queue")
        claim(auditor2)
        text = auditor2.text()
        check(reasons in text and comment in text, "auditor 2 does not see round 1's request for changes")
        check("Alex Auditor" in auditor2.block("history").text, "auditor 2 does not see auditor 1's decisions")
        decide(auditor2, "approve", {}, "")

        # Certified.
        applicant.open(application)
        certified = applicant.block("certified").text
        check(re.search(r"Certified until \d{1,2} \w+ \d{4}", certified), f"no 'Certified until <date>' block: {certified!r}")
        applicant.open("/applications")
        section = [s for s in applicant.driver.find_elements(By.CSS_SELECTOR, "section.participant") if s.find_element(By.TAG_NAME, "h2").text.startswith(PARTICIPANT + " (")][0]
        check("certified" in section.text.lower(), "the dashboard does not say certified")
        check(re.search(r"until \d{1,2} \w+ \d{4}", section.text), "the dashboard does not give the valid-until date")
        applicant.click(applicant.link("Registry data", section))
        check("AS3333" in applicant.block("resources").text and "verified" in applicant.block("resources").text, "the registry page lacks the verified ASN")
        check("noc@ripencc.demo.example" in applicant.block("contacts").text, "the registry page lacks the contacts")
        edit_registry(applicant, width)
        applicant.open("/")
    finally:
        for browser in (applicant, auditor1, auditor2):
            browser.quit()
    print(f"  walk at {width} px: {time.time() - started:.1f} s")


def buy(width):
    """A buyer with nothing but a browser at this width: the registry, a mark, a bulk check."""
    started = time.time()
    buyer = Browser(f"buyer@{width}", width)
    try:
        buyer.open("/registry")
        check("RoEduNet" in buyer.text() and "AMS-IX" in buyer.text(), "the registry does not list the demo's marks")
        Select(buyer.driver.find_element(By.ID, "status")).select_by_value("suspended")
        buyer.click(buyer.button("Search"))
        check("status=suspended" in buyer.driver.current_url, f"the registry's filter is not in its address: {buyer.driver.current_url}")
        listed = [c.text for c in buyer.driver.find_elements(By.CSS_SELECTOR, "li.card")]
        check(any("RoEduNet" in c for c in listed) and not any("AMS-IX" in c for c in listed), f"the suspended filter listed {listed}")
        buyer.click(card(buyer, "li.card", "RoEduNet").find_element(By.TAG_NAME, "a"))
        check(re.fullmatch(r"/marks/MP-[0-9A-Z-]+", buyer.path()), f"the registry's link went to {buyer.path()}")
        check("suspended" in buyer.text().lower(), "the suspended mark's page does not say suspended")
        check("15 months apart" in buyer.text(), "the mark page does not say how far apart its check's inputs were")

        buyer.open("/verify/bulk")
        buyer.driver.find_element(By.ID, "items").send_keys("AS1200\nAS2614\nAS64496")
        buyer.click(buyer.button("Check"))
        rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.text for r in buyer.driver.find_elements(By.CSS_SELECTOR, "tbody tr")}
        check(set(rows) >= {"AS1200", "AS2614", "AS64496"}, f"the bulk table has rows {sorted(rows)}")
        check("suspended" in rows["AS2614"].lower(), f"AS2614's row does not say suspended: {rows['AS2614']!r}")
        check("not certified" in rows["AS64496"].lower(), f"AS64496's row does not say not certified: {rows['AS64496']!r}")
    finally:
        buyer.quit()
    print(f"  buyer at {width} px: {time.time() - started:.1f} s")


def main():
    started = time.time()
    with tempfile.TemporaryDirectory() as folder:
        evidence = os.path.join(folder, "filtering-policy.txt")
        with open(evidence, "w") as handle:
            handle.write("Prefix filtering policy\nAll eBGP sessions use IRR-generated prefix lists.\n")
        try:
            for width in (1280, 390):
                walk(width, evidence)
                administer(width)
                buy(width)
        except Failure as failure:
            print(f"FAILED: {failure}")
            sys.exit(1)
        except Exception as error:  # selenium's: its message without the driver's stack
            print(f"FAILED: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
            sys.exit(1)
    print(f"browser test passed: {checks} checks in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
