"""A browser without JavaScript over plain HTTP: it reads whole HTML pages, finds forms by their
buttons and fields by their labels, fills them in (the CSRF token is whatever the page holds) and
submits them the way a browser does, following redirects to the page the user lands on.

Only the standard library parses the HTML; it is enough for the pages the platform serves.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from tests.live.stack import Browser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_TEXT = {"script", "style", "template", "head"}
SPACES = re.compile(r"\s+")


def squash(text):
    """Whitespace as a reader perceives it: runs of spaces and line breaks are one space."""
    return SPACES.sub(" ", text or "").strip()


@dataclass
class Control:
    tag: str  # input, textarea, select, button
    type: str
    name: str
    id: str
    value: str = ""
    checked: bool = False
    options: list = field(default_factory=list)  # select: [(value, label, selected)]
    text: str = ""  # a button's words, a select's current option label

    def successful(self):
        """The ``(name, value)`` pairs this control sends when the form is submitted as loaded."""
        if not self.name or self.tag == "button" or self.type in ("submit", "button", "reset", "image", "file"):
            return []
        if self.type in ("checkbox", "radio"):
            return [(self.name, self.value or "on")] if self.checked else []
        if self.tag == "select":
            chosen = [value for value, _label, selected in self.options if selected]
            if not chosen and self.options and "multiple" not in self.type:
                chosen = [self.options[0][0]]
            return [(self.name, value) for value in chosen]
        return [(self.name, self.value)]


@dataclass
class FormElement:
    action: str
    method: str
    enctype: str
    attrs: dict
    controls: list = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self.labels, self.texts = [], [], {}, []
        self.by_id = {}
        self.flashes, self.headings = [], []
        self._stack = []  # open elements: (tag, attrs)
        self._form = None
        self._control = None  # textarea / button / option being read
        self._select = None
        self._option = None
        self._link = None
        self._label = None
        self._capture = []  # (kind, buffer) for flashes and headings

    # -- helpers -----------------------------------------------------------------------------
    def _hidden(self):
        return any(tag in HIDDEN_TEXT for tag, _attrs in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag not in VOID:
            self._stack.append((tag, attrs))
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)
        classes = attrs.get("class", "").split()
        if tag == "p" and "flash" in classes:
            self._capture.append(("flash", []))
        if tag in ("h1", "h2", "h3"):
            self._capture.append((tag, []))
        if tag == "form":
            self._form = FormElement(attrs.get("action", ""), attrs.get("method", "get").lower(),
                                     attrs.get("enctype", "application/x-www-form-urlencoded"), attrs)
            self.forms.append(self._form)
        elif tag == "a" and "href" in attrs:
            self._link = [attrs["href"], []]
        elif tag == "label":
            self._label = [attrs.get("for"), [], None]
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            control = Control("input", kind, attrs.get("name", ""), attrs.get("id", ""), attrs.get("value", ""),
                              "checked" in attrs)
            self._add(control, attrs)
        elif tag == "textarea":
            self._control = Control("textarea", "textarea", attrs.get("name", ""), attrs.get("id", ""))
            self._control.buffer = []
            self._add(self._control, attrs)
        elif tag == "select":
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = Control("select", kind, attrs.get("name", ""), attrs.get("id", ""))
            self._add(self._select, attrs)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), [], "selected" in attrs]
        elif tag == "button":
            self._control = Control("button", attrs.get("type", "submit").lower(), attrs.get("name", ""),
                                    attrs.get("id", ""), attrs.get("value", ""))
            self._control.buffer = []
            self._add(self._control, attrs)

    def _add(self, control, attrs):
        if self._label is not None and self._label[2] is None:
            self._label[2] = control  # a control inside its label
        owner = attrs.get("form")
        form = next((f for f in self.forms if f.attrs.get("id") == owner), None) if owner else self._form
        if form is not None:
            form.controls.append(control)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "a" and self._link is not None:
            self.links.append((squash("".join(self._link[1])), self._link[0]))
            self._link = None
        elif tag == "label" and self._label is not None:
            target, words, inner = self._label
            text = squash("".join(words))
            if target:
                self.labels.setdefault(target, text)
            elif inner is not None and inner.id:
                self.labels.setdefault(inner.id, text)
            elif inner is not None:
                inner.label = text
            self._label = None
        elif tag == "textarea" and self._control is not None:
            text = "".join(self._control.buffer)
            self._control.value = text.removeprefix("\n")  # as browsers drop a textarea's first line break
            self._control = None
        elif tag == "button" and self._control is not None:
            self._control.text = squash("".join(self._control.buffer))
            self._control = None
        elif tag == "option" and self._option is not None:
            value, words, selected = self._option
            label = squash("".join(words))
            self._select.options.append((label if value is None else value, label, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        if tag in ("p", "h1", "h2", "h3"):
            for index in range(len(self._capture) - 1, -1, -1):
                kind, words = self._capture[index]
                if kind == tag or (tag == "p" and kind == "flash"):
                    text = squash("".join(words))
                    (self.flashes if kind == "flash" else self.headings).append((kind, text) if kind != "flash" else text)
                    del self._capture[index]
                    break
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        if self._control is not None and hasattr(self._control, "buffer"):
            self._control.buffer.append(data)
        if self._option is not None:
            self._option[1].append(data)
        if self._link is not None:
            self._link[1].append(data)
        if self._label is not None:
            self._label[1].append(data)
        for _kind, words in self._capture:
            words.append(data)
        if not self._hidden() and self._option is None:  # a select shows its chosen option only
            self.texts.append(data)


class Page:
    """A whole HTML page as the browser received it (``response``), after redirects."""

    def __init__(self, browser, response):
        self.browser, self.response = browser, response
        self.status, self.url, self.html = response.status_code, response.url, response.text
        self.redirected_from = [r.url for r in response.history]
        content_type = response.headers.get("Content-Type", "")
        assert content_type.startswith("text/html"), f"{self.url} answered {content_type!r}, not a page"
        # The body was read to its end: a page cut off in the middle would not close its document.
        assert self.html.rstrip().endswith("</html>"), f"{self.url}: the page is incomplete:\n{self.html[-500:]}"
        parser = _Parser()
        parser.feed(self.html)
        parser.close()
        self._parser = parser
        self.text = squash(" ".join(parser.texts))
        self.flashes = parser.flashes
        self.headings = parser.headings
        self.links = parser.links

    def __repr__(self):
        return f"<Page {self.status} {self.url}: {self.text[:1500]}>"

    @property
    def h1(self):
        return next((text for kind, text in self.headings if kind == "h1"), None)

    def __contains__(self, words):
        """True when the page shows ``words`` to a reader (whitespace as read, not as written)."""
        return squash(words) in self.text

    def link(self, text):
        """The address of the link whose words are ``text`` (the first one)."""
        for words, href in self.links:
            if words == text:
                return urljoin(self.url, href)
        raise AssertionError(f"no link “{text}” on {self.url}; links: {[w for w, _h in self.links]}")

    def links_to(self, fragment):
        return [urljoin(self.url, href) for _words, href in self.links if fragment in href]

    def label_of(self, control):
        return self._parser.labels.get(control.id) or getattr(control, "label", "")

    def form(self, button=None, action=None):
        """The form with a button reading ``button`` (or whose action contains ``action``)."""
        for element in self._parser.forms:
            if action is not None and action not in element.action:
                continue
            if button is not None and not any(c.tag == "button" and c.text == button or
                                               c.type == "submit" and c.value == button for c in element.controls):
                continue
            return Form(self, element, button)
        raise AssertionError(f"no form with button {button!r} / action {action!r} on {self.url}:\n{self.text[:2000]}")

    def control_labelled(self, label):
        for element in self._parser.forms:
            for control in element.controls:
                if self.label_of(control) == label:
                    return control
        raise AssertionError(f"no field labelled “{label}” on {self.url}")


class Form:
    """A form as loaded, to fill in and submit like a browser without JavaScript."""

    def __init__(self, page, element, button=None):
        self.page, self.element, self.button = page, element, button
        self.values = {}  # name -> list of values, overriding what the page holds
        self.files = {}

    def _control(self, label_or_name):
        for control in self.element.controls:
            if self.page.label_of(control) == label_or_name or (control.name == label_or_name and control.name):
                return control
        raise AssertionError(f"no field “{label_or_name}” in the form on {self.page.url}: "
                             f"{[(self.page.label_of(c), c.name) for c in self.element.controls]}")

    def value(self, label_or_name):
        """The value the form holds for a field, as the page shows it."""
        control = self._control(label_or_name)
        if control.name in self.values:
            return self.values[control.name]
        pairs = [value for name, value in self.successful() if name == control.name]
        return pairs[0] if len(pairs) == 1 else pairs

    def fill(self, label_or_name, value):
        """Type ``value`` into the field (by label or name); for a select, choose the option whose
        label or value is ``value``; for radios and checkboxes give the value(s) to tick."""
        control = self._control(label_or_name)
        if control.tag == "select":
            values = value if isinstance(value, (list, tuple)) else [value]
            chosen = []
            for wanted in values:
                match = next((v for v, label, _s in control.options if label == wanted or v == str(wanted)), None)
                assert match is not None, f"no option {wanted!r} in “{label_or_name}”: {control.options[:30]}"
                chosen.append(match)
            self.values[control.name] = chosen
        elif control.type in ("checkbox", "radio"):
            values = value if isinstance(value, (list, tuple)) else [value]
            offered = {c.value for c in self.element.controls if c.name == control.name}
            assert set(map(str, values)) <= offered, f"{values} not among {offered} for “{label_or_name}”"
            self.values[control.name] = [str(v) for v in values]
        else:
            self.values[control.name] = [str(value)]
        return self

    def attach(self, name, filename, content, mimetype):
        self.files[name] = (filename, content, mimetype)
        return self

    def successful(self, button=None):
        pairs = []
        for control in self.element.controls:
            if control.name in self.values:
                continue
            pairs.extend(control.successful())
        for name, values in self.values.items():
            pairs.extend((name, value) for value in values)
        button = button or self.button
        if button is not None:
            pressed = next((c for c in self.element.controls
                            if c.tag == "button" and c.text == button or c.type == "submit" and c.value == button), None)
            assert pressed is not None, f"no button “{button}” in the form on {self.page.url}"
            if pressed.name:
                pairs.append((pressed.name, pressed.value))
        return pairs

    def submit(self, button=None, expect=None):
        """Press ``button`` (default: the one the form was found by); return the page landed on.

        ``expect``: the status the final page must have (any when None).
        """
        browser = self.page.browser
        url = urljoin(self.page.url, self.element.action or self.page.url)
        pairs = self.successful(button)
        if self.element.method == "post":
            if self.element.enctype == "multipart/form-data":
                files = [(name, (None, value)) for name, value in pairs]
                files += [(name, spec) for name, spec in self.files.items()]
                response = browser.post(url, files=files)
            else:
                response = browser.post(url, data=pairs)
        else:
            response = browser.get(url, params=pairs)
        page = Page(browser, response)
        if expect is not None:
            assert page.status == expect, f"{url} answered {page.status}, not {expect}:\n{page.text[:3000]}"
        return page


class UserBrowser(Browser):
    """One person's browser (its own cookies), pointed at one web process."""

    def __init__(self, base_url, timezone=None):
        super().__init__(base_url)
        self.headers["Accept-Language"] = "en-GB,en;q=0.8"
        if timezone:  # what static/js/main.js reports for the visitor's clock
            self.cookies.set("tz", timezone)

    def open(self, path, expect=200):
        page = Page(self, self.get(path))
        if expect is not None:
            assert page.status == expect, f"{path} answered {page.status}, not {expect}:\n{page.text[:3000]}"
        return page

    def log_in(self, email, password, expect_name=None):
        page = self.open("/login").form(button="Log in").fill("E-mail address", email).fill("Password", password) \
            .submit(expect=200)
        if expect_name:
            assert f"Welcome back, {expect_name}." in page, page.text[:2000]
        return page
