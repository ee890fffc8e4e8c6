"""The LMS cartridge (export --lms): its zip and manifest, its schemas, its quizzes read back by an
independent QTI reader, nothing of the teacher edition in it, the same bytes from the same sources."""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from conftest import REPO

from coursepack import lms, loading, qti
from coursepack.cli import main

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
# The IMS CC 1.1 schemas are not ours to ship: point this at a folder holding them (Moodle keeps them in
# backup/cc/schemas11, moodle2cc in test/fixtures/common_cartridge/schema) to validate against them.
SCHEMAS = Path(os.environ.get("COURSEPACK_CC11_SCHEMAS", "/nonexistent"))
WORKSHEET = """\
---
title: Tools Check
instructions: Answer every question.
---
## Part A

? Which tool measures length? {points: 2}
( ) A hammer
(x) A tape measure
( ) A wrench

? Which are safety gear? Select all that apply. {points: 2}
[x] Goggles
[ ] Donuts
[x] Gloves

? Steel is a metal. {points: 1}
= true

? A [[lathe]] turns metal, and a [[drill press]] makes holes. {points: 2}

? The welder joins parts with [[heat]]. {points: 1}

? Match each tool to its use. {points: 2}
Caliper = Measures small parts
Torque wrench = Tightens bolts to a set force

? Put the steps in order. {points: 3}
1. Read the drawing
2. Cut the stock
3. Inspect the part

? Complete the table. {points: 2}
| Tool | Use |
|---|---|
| Saw | [[Cuts]] |
| [[Vise]] | Holds work |

? Explain why gloves matter. {points: 3, lines: 3}
> SAMPLEANSWERSECRET Gloves protect hands from cuts and heat.
Note: TEACHERNOTESECRET accept any reason about hands.
"""


@pytest.fixture(scope="module")
def made(bundled):
    """The bundled course's cartridge, made once from the session's build."""
    plan = loading.load(REPO)
    pdfs = {
        path.relative_to(bundled).as_posix(): path.read_bytes()
        for edition in ("student", "fillable")
        for path in (bundled / edition).rglob("*.pdf")
        if "version-" not in path.as_posix()
    }
    return plan, pdfs, lms.cartridge(plan, pdfs)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_zip_holds_the_manifest_first_sorted_entries_and_no_dates(made):
    _, _, cartridge = made
    with zipfile.ZipFile(BytesIO(cartridge.data)) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [info.filename for info in infos]
    assert names[0] == "imsmanifest.xml" and names[1:] == sorted(names[1:])
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert all(not name.startswith(("/", "..")) and ".." not in name.split("/") for name in names)


def test_modules_follow_the_packets_and_each_document_is_one_resource(made):
    plan, pdfs, cartridge = made
    files = entries(cartridge.data)
    manifest = ET.fromstring(files["imsmanifest.xml"])
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "IMS Common Cartridge"
    assert manifest.findtext(f"{CP}metadata/{CP}schemaversion") == "1.1.0"
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    listed = {f.get("href") for r in resources.values() for f in r.iter(f"{CP}file")}
    assert listed == set(files) - {"imsmanifest.xml"}  # every file listed once, nothing unlisted
    modules = manifest.findall(f"{CP}organizations/{CP}organization/{CP}item/{CP}item")
    course = plan.course
    assert [m.findtext(f"{CP}title") for m in modules] == [p.title for p in course.packets]
    for module, packet in zip(modules, course.packets, strict=True):
        titles = [item.findtext(f"{CP}title") for item in module.findall(f"{CP}item")]
        expected = [f"{packet.title} (PDF)"]
        for item in packet.items:
            doc = course.documents[item]
            expected += [doc.title, f"{doc.title} (PDF)"] + [f"{doc.title} (PDF to fill in)"] * course.fillable(item)
        assert titles == expected
        for item in module.findall(f"{CP}item"):
            assert item.get("identifierref") in resources
    # a role sheet in every packet is one resource shown by a module item in each
    welder = [
        item.get("identifierref")
        for item in manifest.iter(f"{CP}item")
        if item.findtext(f"{CP}title") == course.documents["welder"].title
    ]
    assert len(welder) == len(course.packets) == 3 and len(set(welder)) == 1
    assert {r.get("type") for r in resources.values()} == {"webcontent", lms.ASSESSMENT}
    for resource in resources.values():
        if resource.get("type") == lms.ASSESSMENT:  # CC 1.1: one file, no href
            assert resource.get("href") is None and len(resource.findall(f"{CP}file")) == 1
    worksheets = [d for d in course.documents.values() if d.kind == "worksheet"]
    assert cartridge.count("quiz") == len(worksheets)
    pages = [d for d in course.documents.values() if d.kind in lms.PAGE_KINDS]
    assert cartridge.count("page") == len(pages)


def test_student_pdfs_only_and_each_the_very_file_the_build_made(made, bundled):
    _, pdfs, cartridge = made
    files = entries(cartridge.data)
    student = set(pdfs.values())
    teacher = {path.read_bytes() for path in (bundled / "teacher").rglob("*.pdf")}
    inside = [data for name, data in files.items() if name.endswith(".pdf")]
    assert inside and all(data in student for data in inside)
    assert not any(data in teacher for data in inside)
    fillable = (bundled / "fillable" / "documents" / "vocabulary.pdf").read_bytes()
    assert files["web_resources/fill/vocabulary.pdf"] == fillable  # for students who work on a screen
    assert b"Manufacturing Vocabulary (PDF to fill in)" in files["imsmanifest.xml"]


def test_the_manifest_is_valid_against_the_cc_1_1_schemas(made):
    etree = pytest.importorskip("lxml.etree")
    if not (SCHEMAS / "ccv1p1_imscp_v1p2_v1p0.xsd").is_file():
        pytest.skip("set COURSEPACK_CC11_SCHEMAS to a folder holding the IMS CC 1.1 schemas")

    class Local(etree.Resolver):  # every schema from that folder, never from the network
        def resolve(self, url, pubid, context):
            return self.resolve_filename(str(SCHEMAS / url.rsplit("/", 1)[-1]), context)

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "ccv1p1_imscp_v1p2_v1p0.xsd"), parser))
    manifest = etree.fromstring(entries(made[2].data)["imsmanifest.xml"])
    assert schema.validate(manifest), schema.error_log
    manifest.find(f"{CP}metadata/{CP}schemaversion").text = "1.3.0"  # the schema does catch a mistake
    assert not schema.validate(manifest)


def text_of(markup: str) -> str:
    """HTML as words: tags dropped, entities read, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def quizzes(cartridge: lms.Cartridge) -> dict[str, ET.Element]:
    files = entries(cartridge.data)
    found = {}
    for quiz in cartridge.quizzes:
        root = ET.fromstring(files[f"{quiz.ident}/assessment_qti.xml"])
        found[root.find(f"{QTI}assessment").get("title")] = root
    return found


def test_quiz_answers_read_back_by_an_independent_qti_reader_equal_the_key(made):
    """qti2latex (PyPI), which reads Canvas and text2qti quizzes, finds the type, points and right answers;
    blanks and matches are read with XPath, independently of the writer's code."""
    reader = pytest.importorskip("qti2latex")
    plan, _, cartridge = made
    course = plan.course
    read = quizzes(cartridge)
    checked = 0
    for doc in (d for d in course.documents.values() if d.kind == "worksheet"):
        questions = lms.student_questions(course, doc)
        graded = not doc.meta.get("self_assessment")
        items = iter(read[doc.title].iter(f"{QTI}item"))
        # a question with several blanks is one fill-in item per blank, its points shared among them
        expanded = [
            (q, blank)
            for q in questions
            for blank in (range(1, len(q.blanks) + 1) if qti.kind_of(q) == "blank" and len(q.blanks) > 1 else [0])
        ]
        for (q, blank), item in zip(expanded, items, strict=True):
            meta = reader.get_qti_metadata(item)
            kind = qti.kind_of(q)
            assert reader.guess_type(meta, item) == qti.KINDS[kind].canvas
            points = (q.points or 1) / (len(q.blanks) if blank else 1) if graded else 0
            assert float(meta["points_possible"]) == pytest.approx(points)
            correct = reader.get_correct_idents(item)
            labels = {ident: text_of(text) for ident, text in reader.get_choices(item)}
            if not graded:
                assert correct == set()
            elif q.kind in ("single", "multiple"):
                assert {labels[i] for i in correct} == {text_of(lms.inline_html(c)) for c, ok in q.choices if ok}
            elif q.kind == "truefalse":
                assert {labels[i] for i in correct} == {q.answer.capitalize()}
            elif kind == "blank":
                assert correct == {q.blanks[max(blank, 1) - 1]}
                shown = text_of(item.find(f"{QTI}presentation").find(f".//{QTI}mattext").text)
                assert "_____" in shown
                assert not any(re.search(rf"\b{re.escape(a)}\b", shown) for a in q.blanks if a not in q.prompt)
            elif kind == "matching":
                chosen = {v.get("respident"): labels[v.text] for v in item.iter(f"{QTI}varequal")}
                pairs = {
                    text_of(lid.find(f"{QTI}material/{QTI}mattext").text): chosen[lid.get("ident")]
                    for lid in item.iter(f"{QTI}response_lid")
                }
                if q.kind == "matching":
                    assert pairs == {text_of(lms.inline_html(a)): text_of(lms.inline_html(b)) for a, b in q.pairs}
                else:
                    assert pairs == {text_of(lms.inline_html(s)): str(n) for n, s in enumerate(q.steps, 1)}
            else:
                assert correct == set() and meta["qmd_computerscored"] == "No"
            checked += 1
    assert checked == sum(cartridge.questions.values()) > 60


def test_items_keep_the_rules_of_the_cc_qti_profile(made):
    """The CC 1.1 QTI profile's Schematron rules for each type, as assertions (its XSD could not be had)."""
    _, _, cartridge = made
    idents = []
    for root in quizzes(cartridge).values():
        for item in root.iter(f"{QTI}item"):
            idents.append(item.get("ident"))
            meta = {
                f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                for f in item.iter(f"{QTI}qtimetadatafield")
            }
            lids, strs = list(item.iter(f"{QTI}response_lid")), list(item.iter(f"{QTI}response_str"))
            labels = list(item.iter(f"{QTI}response_label"))
            responses = {r.get("ident") for r in lids + strs}
            assert {v.get("respident") for v in item.iter(f"{QTI}varequal")} <= responses  # rules 3e-6c
            assert item.find(f".//{QTI}varsubstring") is None
            profile = meta.get("cc_profile")
            if profile in ("cc.multiple_choice.v0p1", "cc.true_false.v0p1", "cc.multiple_response.v0p1"):
                single = profile != "cc.multiple_response.v0p1"
                assert len(lids) == 1 and not strs and item.find(f".//{QTI}render_fib") is None
                assert lids[0].get("rcardinality") == ("Single" if single else "Multiple")
                count = {"cc.true_false.v0p1": 2}.get(profile)
                assert len(labels) == count if count else len(labels) >= (3 if single else 2)
            elif profile in ("cc.fib.v0p1", "cc.essay.v0p1"):
                assert not lids and len(strs) == 1 and item.find(f".//{QTI}render_choice") is None
                if profile == "cc.essay.v0p1":
                    assert item.find(f".//{QTI}varequal") is None and meta["qmd_computerscored"] == "No"
            else:  # no CC type: Canvas's own, which a CC importer leaves out
                assert profile is None
                assert meta["question_type"] == "matching_question"
    assert len(idents) == len(set(idents)) == sum(cartridge.questions.values())  # rule 13a


def test_nothing_of_the_teacher_edition_is_in_the_cartridge(made):
    plan, _, cartridge = made
    course = plan.course
    files = entries(cartridge.data)
    pieces = []  # each piece of text on its own, as a student could see it
    for name, data in files.items():
        if name.endswith(".xml"):
            pieces += [text_of(el.text) for el in ET.fromstring(data).iter() if el.text and el.text.strip()]
        elif name.endswith(".html"):
            pieces.append(text_of(data.decode()))
    readable = " | ".join(pieces)
    secrets = []
    for doc in course.documents.values():
        if doc.kind == "worksheet":
            for q in lms.student_questions(course, doc):
                secrets += q.notes + q.model
        student = text_of(plan.sections[(doc.id, "student", 0)])
        for edition in ("teacher", "teacher-notes"):
            teacher = text_of(plan.sections.get((doc.id, edition, 0), ""))
            secrets += [s for s in re.split(r"(?<=[.!?])\s+", teacher) if len(s) > 40 and s not in student]
    secrets = [" ".join(text_of(lms.inline_html(s)).split()) for s in secrets if len(s) > 20]
    assert len(secrets) > 30
    leaked = [s for s in secrets if s in readable]
    assert not leaked, leaked[:3]
    for root in quizzes(cartridge).values():
        for name in ("itemfeedback", "solution", "hint", "displayfeedback"):
            assert root.find(f".//{QTI}{name}") is None


def test_pages_have_no_script_no_style_and_nothing_from_outside(made):
    plan, _, cartridge = made
    files = entries(cartridge.data)
    overview = files["wiki_content/00-cluster-overview.html"].decode()  # the map as a list, not a drawing
    roles = [d.title for d in plan.course.documents.values() if d.kind == "role"]
    assert '<figure class="cluster-map cluster-list">' in overview and all(html.escape(r) in overview for r in roles)
    assert "<strong>Pathway:</strong> Production" in files["wiki_content/welder.html"].decode()
    for name, data in files.items():
        if name.endswith(".html"):
            page = data.decode()
            assert page.startswith("<!DOCTYPE html>") and '<html lang="en-US">' in page
            for bad in (
                "<script",
                "<style",
                "<link",
                "<iframe",
                "<object",
                "<embed",
                " style=",
                'src="http',
                "@import",
            ):
                assert bad not in page.lower(), (name, bad)
            assert not re.search(r"\son[a-z]+\s*=", page, re.IGNORECASE)


def test_the_same_plan_gives_the_same_bytes(made):
    plan, pdfs, cartridge = made
    assert lms.cartridge(plan, pdfs).data == cartridge.data


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_builds_first_then_keeps_an_unchanged_cartridge_and_remakes_a_changed_one(course, capsys, tmp_path):
    root = course({"handouts/worksheets/tools.md": WORKSHEET})
    (root / "course.toml").write_text((root / "course.toml").read_text().replace('"roles/*"]', '"roles/*", "tools"]'))
    code, out, err = run(capsys, "--course", str(root), "export", "--lms", "--jobs", "1", "--quiet")
    assert (code, err) == (0, "")
    cartridge = root / "build/lms/test-course.imscc"
    assert (
        f"{cartridge}: 1 module, 3 web pages, 5 PDFs, 1 quiz (11 items: 1 multiple choice, 1 select all, 1 true/false, 5 fill in the blank, 2 matching, 1 essay)"
        in out
    )
    assert (root / "build/student/unit.pdf").is_file()  # the build ran first
    first, stat = cartridge.read_bytes(), cartridge.stat()
    code, out, _ = run(capsys, "--course", str(root), "export", "--lms", "--jobs", "1", "--quiet")
    assert code == 0 and "up to date" in out
    assert cartridge.stat().st_mtime_ns == stat.st_mtime_ns and cartridge.stat().st_ino == stat.st_ino
    # another folder, the same sources: the same bytes
    other = tmp_path / "other"
    assert main(["--course", str(root), "--out", str(other), "export", "--lms", "--jobs", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert (other / "lms/test-course.imscc").read_bytes() == first
    worksheet = root / "handouts/worksheets/tools.md"
    worksheet.write_text(
        worksheet.read_text().replace("(x) A tape measure\n( ) A wrench", "( ) A tape measure\n(x) A wrench")
    )
    code, out, _ = run(capsys, "--course", str(root), "export", "--lms", "--jobs", "1", "--quiet")
    assert code == 0 and "written" in out and cartridge.read_bytes() != first
    files = entries(cartridge.read_bytes())
    assert not any(b"SECRET" in data for name, data in files.items() if not name.endswith(".pdf"))


def test_export_says_what_to_export_and_refuses_bad_sources_without_writing(course, capsys):
    root = course()
    code, _, err = run(capsys, "--course", str(root), "export")
    assert code == 2 and err.strip() == (
        "coursepack export: error: say what to export: --site (the web edition, in build/site/), "
        "--lms (a course cartridge for an LMS), or both"
    )
    (root / "handouts/worksheets").mkdir(parents=True)
    (root / "handouts/worksheets/bad.md").write_text("---\ntitle: Bad\n---\n? Pick one {points: 1}\n( ) A\n( ) B\n")
    code, _, err = run(capsys, "--course", str(root), "export", "--lms", "--jobs", "1", "--quiet")
    assert code == 1 and "internal error" not in err
    assert "handouts/worksheets/bad.md:4: error: multiple-choice question has no correct answer" in err
    assert not (root / "build/lms").exists()


TEXT2QTI = """\
Quiz title: Tools Check

1.  Which tool measures length?
a)  A hammer
*b) A tape measure
c)  A wrench

2.  Which are safety gear? Select all that apply.
[*] Goggles
[ ] Donuts
[*] Gloves

3.  Steel is a metal.
*a) True
b)  False

4.  The welder joins parts with _____.
*   heat

5.  Explain why gloves matter.
____
"""
OURS = [
    "? Which tool measures length?\n( ) A hammer\n(x) A tape measure\n( ) A wrench",
    "? Which are safety gear? Select all that apply.\n[x] Goggles\n[ ] Donuts\n[x] Gloves",
    "? Steel is a metal.\n= true",
    "? The welder joins parts with [[heat]].",
    "? Explain why gloves matter. {lines: 3}",
]


def shape(item: ET.Element) -> tuple:
    """What an importer reads of an item, without identifiers or wrappers: the type, the responses,
    the scoring conditions, and the right answers as text."""
    labels = {
        label.get("ident"): text_of(label.findtext(f".//{QTI}mattext") or "")
        for label in item.iter(f"{QTI}response_label")
    }
    meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")}
    responses = [
        (r.tag, r.get("rcardinality"), [c.tag for c in r])
        for r in item.find(f"{QTI}presentation")
        if r.tag != f"{QTI}material"
    ]
    conditions = [
        (c.get("continue"), [e.tag for e in c.iter()], [s.text for s in c.iter(f"{QTI}setvar")])
        for c in item.iter(f"{QTI}respcondition")
    ]
    right = sorted(
        labels.get(v.text, v.text)
        for v in item.iter(f"{QTI}varequal")
        if v not in {n for x in item.iter(f"{QTI}not") for n in x}
    )
    return meta["question_type"], responses, conditions, right


def test_items_read_as_text2qti_writes_the_same_questions():
    """text2qti (PyPI) writes the five CC types as Canvas reads them; ours read the same, bar what the CC
    profile adds (cc_profile, cc_weighting, qmd_computerscored) and text2qti's Canvas-only fields."""
    pytest.importorskip("text2qti")
    from text2qti.config import Config
    from text2qti.qti import QTI as Text2QTI
    from text2qti.quiz import Quiz

    from coursepack.messages import english
    from coursepack.questions import parse_question

    with zipfile.ZipFile(BytesIO(Text2QTI(Quiz(TEXT2QTI, config=Config(), source_name="tools.md")).zip_bytes())) as z:
        theirs = ET.fromstring(
            next(z.read(n) for n in z.namelist() if n.endswith(".xml") and "meta" not in n and "manifest" not in n)
        )
    questions = []
    for ordinal, text in enumerate(OURS):
        q = parse_question([(n, line) for n, line in enumerate(text.split("\n"), 1)], True)
        questions.append(replace(q, ordinal=ordinal))
    ours = ET.fromstring(qti.quiz("tools", "Tools Check", questions, True, english(), lms.inline_html).xml)
    for mine, their in zip(ours.iter(f"{QTI}item"), theirs.iter(f"{QTI}item"), strict=True):
        a, b = shape(mine), shape(their)
        assert a[0] == b[0] and a[3] == b[3], (a, b)
        assert [(tag, card) for tag, card, _ in a[1]] == [(tag, card) for tag, card, _ in b[1]]
        assert a[2] == b[2], (a[2], b[2])


def test_a_course_image_and_an_oddly_named_document_go_into_the_cartridge_as_urls_and_safe_names(course, capsys):
    import PIL.Image

    image = BytesIO()
    PIL.Image.new("L", (8, 8), 128).save(image, "PNG")
    lesson = "---\ntitle: Introduction\n---\nA press:\n\n![A hydraulic press](images/my%20press.png)\n"
    sheet = "---\ntitle: Odd name\n---\n? Which is the press? ![A hydraulic press](../../lessons/images/my%20press.png)\n(x) yes\n( ) no\n"
    root = course(
        {
            "lessons/intro.md": lesson,
            "lessons/images/my press.png": image.getvalue(),
            "handouts/worksheets/q#1 <x>.md": sheet,
        }
    )
    assert main(["--course", str(root), "export", "--lms", "--jobs", "1", "--quiet"]) == 0
    capsys.readouterr()
    files = entries((root / "build/lms/test-course.imscc").read_bytes())
    assert files["web_resources/lessons/images/my press.png"] == image.getvalue()
    page = files["wiki_content/intro.html"].decode()
    assert 'src="../web_resources/lessons/images/my%20press.png"' in page and 'alt="A hydraulic press"' in page
    manifest = files["imsmanifest.xml"].decode()
    assert '<file href="web_resources/lessons/images/my%20press.png" />' in manifest  # hrefs are URLs
    odd = [name for name in files if "q-1-x-" in name]  # a file name any system can unzip, and a plain URL
    assert len(odd) == 1 and odd[0].startswith("web_resources/documents/") and f'href="{odd[0]}"' in manifest
    quiz = next(data for name, data in files.items() if name.endswith("assessment_qti.xml")).decode()
    assert 'src="$IMS-CC-FILEBASE$/lessons/images/my%20press.png"' in html.unescape(quiz)  # shown from the quiz
    assert manifest.count("<dependency identifierref=") == 1


def test_a_renamed_course_replaces_its_cartridge(course, capsys):
    root = course()
    assert main(["--course", str(root), "export", "--lms", "--jobs", "1", "--quiet"]) == 0
    toml = root / "course.toml"
    toml.write_text(toml.read_text().replace('title = "Test Course"', 'title = "Shop Basics"'))
    assert main(["--course", str(root), "export", "--lms", "--jobs", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (root / "build/lms").iterdir()) == ["shop-basics.imscc"]
