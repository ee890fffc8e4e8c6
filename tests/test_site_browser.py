"""The web edition in a real browser: Debian's Chromium (headless, driven by Selenium through Debian's
chromedriver), axe-core for accessibility, the Nu HTML Checker (vnu.jar) for valid HTML and CSS, and
a screenshot of the index.

The tools: ``apt-get install chromium chromium-driver default-jre-headless`` and
``npm ci --ignore-scripts`` (axe-core and vnu-jar into node_modules/). Without them these tests are
skipped, saying what is missing; with ``COURSEPACK_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("COURSEPACK_REQUIRE_BROWSER") == "1"
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  r => done({version: axe.version, violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))}),
  e => done({error: String(e)}));
"""


def missing_or_fail(what: str) -> None:
    """Skip (or, when CI requires the browser tests, fail) naming what is missing and how to get it."""
    message = f"{what} (apt-get install chromium chromium-driver default-jre-headless; npm ci --ignore-scripts)"
    if REQUIRED:
        pytest.fail(f"COURSEPACK_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    missing_or_fail("no Chromium")
    return ""


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """A headless Chromium driven through Debian's chromedriver (no Selenium Manager download)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing_or_fail("selenium is not installed (pip install -e '.[test]')")
    binary, driver_path = chromium(), shutil.which("chromedriver")
    if not driver_path:
        missing_or_fail("no chromedriver")
    if not AXE.is_file():
        missing_or_fail(f"no {AXE.relative_to(REPO)}")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--hide-scrollbars")
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def axe(driver, page: Path) -> dict:
    driver.get(page.resolve().as_uri())
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(AXE_RUN)
    assert "error" not in result, result
    return result


def test_axe_finds_no_violation_on_any_page(browser, bundled_site):
    """Every rule axe-core runs by default (WCAG 2.0/2.1 A and AA, and its best practices), every page."""
    pages = sorted(bundled_site.glob("*.html"))
    assert len(pages) == 27
    found = {}
    for page in pages:
        result = axe(browser, page)
        if result["violations"]:
            found[page.name] = result["violations"]
    assert found == {}, json.dumps(found, indent=1)


def test_pages_reflow_at_320_pixels_and_pass_axe_there(browser, bundled_site):
    """WCAG 1.4.10: no horizontal scrolling at 320 CSS pixels (a phone, or 400% zoom of 1280)."""
    browser.set_window_size(320, 800)
    try:
        for name in ("index.html", "match-the-role.html", "welder.html", "00-cluster-overview.html"):
            result = axe(browser, bundled_site / name)
            assert result["violations"] == [], (name, result["violations"])
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= browser.execute_script("return window.innerWidth"), (name, width)
    finally:
        browser.set_window_size(1280, 900)


def test_pages_load_only_their_own_files_and_their_stylesheet_applies(browser, bundled_site):
    """Opened from disk: the stylesheet and images load from the site's folder, and nothing else is asked for."""
    here = bundled_site.resolve().as_uri() + "/"
    for name in ("index.html", "vocabulary.html", "00-cluster-overview.html"):
        browser.get((bundled_site / name).resolve().as_uri())
        wanted = browser.execute_script(
            "return [...document.querySelectorAll('[src], link[href]')].map(e => e.src || e.href)"
        )
        assert wanted and all(url.startswith(here) for url in wanted), wanted
        assert browser.execute_script("return document.styleSheets.length") == 1
        header = browser.execute_script(
            "return getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert header == "rgb(26, 26, 26)"
    browser.get((bundled_site / "index.html").resolve().as_uri())
    widths = browser.execute_async_script(
        "const done = arguments[arguments.length - 1], images = [...document.images];"
        "Promise.all(images.map(i => i.decode().catch(() => null))).then(() => done(images.map(i => i.naturalWidth)));"
    )
    assert len(widths) == 26 and set(widths) == {240}, widths


def test_the_skip_link_shows_when_focused_and_print_hides_the_menus(browser, bundled_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get((bundled_site / "welder.html").resolve().as_uri())
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link"
    assert focused.rect["y"] >= 0 and focused.is_displayed()
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = browser.execute_script(
            "return ['.site-header', '.site-footer', '.print-note'].map(s => getComputedStyle(document.querySelector(s)).display)"
        )
        assert hidden == ["none", "none", "none"]
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_a_student_can_fill_a_worksheet(browser, bundled_site):
    from selenium.webdriver.common.by import By

    browser.get((bundled_site / "match-the-role.html").resolve().as_uri())
    name = browser.find_element(By.ID, "match-the-role-name")
    name.send_keys("Ana")
    first = browser.find_element(By.CSS_SELECTOR, "li.choice label")
    first.click()  # the choice's words select it
    assert browser.find_element(By.CSS_SELECTOR, "li.choice input").is_selected()
    assert name.get_attribute("value") == "Ana"


def test_the_index_screenshot_shows_the_catalogue(browser, bundled_site, tmp_path):
    browser.get((bundled_site / "index.html").resolve().as_uri())
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 8000))
    try:
        shot = browser.get_screenshot_as_png()
    finally:
        browser.set_window_size(1280, 900)
    (tmp_path / "index.png").write_bytes(shot)
    image = Image.open(BytesIO(shot)).convert("RGB")
    assert image.width >= 1200 and image.height > 3000, image.size
    top = image.crop((0, 0, 1280, 60))
    assert top.getpixel((5, 5)) == (26, 26, 26)  # the header band
    colours = image.getcolors(1 << 20)
    assert colours is not None and len(colours) > 200  # text, thumbnails, links: not a blank page
    white = max(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.97 * image.width * image.height


def test_every_page_and_the_stylesheet_are_valid_html_and_css(bundled_site):
    """The Nu HTML Checker (the W3C's validator), run from vnu.jar on this machine."""
    java = shutil.which("java")
    if not java or not VNU.is_file():
        missing_or_fail("no Java runtime or no node_modules/vnu-jar")
    pages = sorted(str(p) for p in bundled_site.glob("*.html"))
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--also-check-css", "--format", "json", *pages, str(bundled_site / "site.css")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    assert len(pages) == 27
    assert messages == [], json.dumps(messages[:20], indent=1)
