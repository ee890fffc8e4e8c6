"""Page budgets: a document that would leave a few lines on a page of their own is fitted back."""

from __future__ import annotations

from conftest import pages_text, squash

from coursepack import workers
from coursepack.loading import load
from coursepack.plan import targets

PARAGRAPH = (
    "Factories turn raw materials into finished products, step by step, with machines, tools and organized "
    "teams of people who plan, make, check and move the work. "
)


def lesson(paragraphs: int) -> str:
    body = "\n\n".join(f"{PARAGRAPH * 2}(Paragraph {n}.)" for n in range(1, paragraphs + 1))
    return f"---\ntitle: A Long Reading\nlesson: 1\n---\n## Reading\n\n{body}\n"


def student_part(root):
    return next(p for p in targets(load(root)).parts if p.doc_id == "long" and p.edition == "student")


def test_a_reading_that_spills_a_few_lines_onto_a_page_is_fitted_back(course):
    spilled = []
    for paragraphs in range(12, 30):
        root = course({"lessons/long.md": lesson(paragraphs)})
        part = student_part(root)
        setter = workers.typesetter(part.setup, "part")
        plain = setter.layout(part.html)
        if len(plain.pages) > 1 and workers.end_height(plain.pages[-1], workers.END) < workers.FEW_LINES:
            spilled.append(paragraphs)
            made = workers.lay_out(part)
            assert made.pages == len(plain.pages) - 1, paragraphs
            # nothing is lost: the last paragraph is still there
            assert f"(Paragraph {paragraphs}.)" in squash(" ".join(pages_text(made.data)))
    assert spilled  # some length in the range spills a few lines


def test_a_document_that_fills_its_last_page_keeps_its_spacing(course):
    for paragraphs in range(22, 40, 3):
        part = student_part(course({"lessons/long.md": lesson(paragraphs)}))
        setter = workers.typesetter(part.setup, "part")
        plain = setter.layout(part.html)
        if len(plain.pages) > 1 and workers.end_height(plain.pages[-1], workers.END) > 0.5:
            assert workers.snug(setter, part, plain) is plain  # laid out once, as it is
            return
    raise AssertionError("no length in the range fills half of its last page")


def test_the_bundled_documents_keep_within_their_page_budgets(bundled):
    """Every student document ends on a page it fills by more than a few lines, and readings stay short."""
    for path in sorted((bundled / "student" / "documents").glob("*.pdf")):
        pages = pages_text(path)
        if path.stem[:2].isdigit() and path.stem != "00-cluster-overview":
            assert len(pages) <= 2, path.name  # a lesson reading is two pages at most
        if "roles" in path.stem:
            continue
        assert len(pages[-1].split()) > 25, path.name  # more than a few lines on the last page


def test_large_print_prints_nothing_smaller_than_18_pt(bundled):
    """Every word on every large-print page, running heads, labels and the career map included, is 18 pt."""
    from pypdf import PdfReader

    for path in [bundled / "large-print" / "full-course.pdf", bundled / "large-print" / "role-sheets.pdf"]:
        small = set()
        for number, page in enumerate(PdfReader(str(path)).pages):

            def seen(text, cm, tm, font, size, number=number, small=small):
                scale = abs(tm[3] * (cm[3] if cm else 1))
                if text.strip() and size * scale < 17.5:
                    small.add((number, round(size * scale, 1), text.strip()[:20]))

            page.extract_text(visitor_text=seen)
        assert not small, sorted(small)[:5]
