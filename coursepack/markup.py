"""Markdown to sanitised HTML, per edition: ``::: teacher`` blocks and worksheet questions."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from .fonts import mark_direction
from .questions import BLANK, QuestionProblem, QuestionRenderer, parse_question, word_bank
from .schema import unknown_field

FENCE = re.compile(r"^:::\s*([\w-]+)\s*$")
FENCE_END = re.compile(r"^:::\s*$")
WORD_BANK_HEADING = re.compile(r"^(#{1,6}\s.*?)\s*\{\s*word[ -]bank\s*\}\s*$", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
BLOCK_NAMES = ("teacher", "student", "cluster-map")
EXTENSIONS = ["tables", "sane_lists", "smarty", "attr_list", "fenced_code", "footnotes", "def_list", "toc"]
ALLOWED_TAGS = {
    "a",
    "abbr",
    "aside",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "title", "aria-label", "id", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"},
}


@dataclass
class Markup:
    """A body rendered for one edition, with what the worksheet header and key need."""

    html: str = ""
    problems: list[tuple[int, str]] = field(default_factory=list)
    questions: int = 0
    points: float = 0
    key: list[tuple[int, str]] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)


def sanitise(html: str) -> str:
    """Reduce HTML to the allowlist: no scripts, styles, frames, forms or foreign URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def attribute(tag: str, name: str) -> str:
    """An attribute's value in a tag written by Python-Markdown (or by the author)."""
    match = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tag, flags=re.IGNORECASE)
    return html_module.unescape(next(g for g in match.groups() if g is not None)) if match else ""


def block_placeholder(name: str) -> str:
    """Marks where generated HTML (not sanitised: it is ours) goes after sanitising."""
    return f'<div class="block-{name}"></div>'


def inline(text: str) -> str:
    """Markdown for one line of text, without the paragraph around it."""
    html = markdown.markdown(text, extensions=["smarty"])
    return re.sub(r"^<p>(.*)</p>$", r"\1", html, flags=re.DOTALL)


def render(
    body: str,
    first_line: int,
    *,
    edition: str,
    worksheet: bool = False,
    graded: bool = True,
    seed: str = "",
    blocks: dict[str, str] | None = None,
    shared: Markup | None = None,
) -> Markup:
    """Render a Markdown body for an edition; problems carry source line numbers.

    A block nested in a body passes the body's result as ``shared``, so questions keep one
    numbering and problems, points, answers and images are counted once, for the whole body.
    """
    result = Markup()
    totals = shared or result
    options = Options(edition, worksheet, graded, seed, blocks or {})
    renderer = QuestionRenderer(edition == "teacher", inline, seed)
    md = markdown.Markdown(extensions=[*EXTENSIONS, CoursepackExtension(totals, renderer, first_line, options)])
    raw = md.convert(body)
    totals.images += [(attribute(tag, "src"), attribute(tag, "alt")) for tag in IMG_TAG.findall(raw)]
    result.html = prefix_ids(sanitise(raw), seed)
    result.html = mark_direction(result.html)
    for name, html in options.blocks.items():
        result.html = result.html.replace(block_placeholder(name), html)
    if worksheet and not shared and totals.questions == 0 and not totals.problems:
        totals.problems.append((first_line, "the worksheet has no questions: start each question with '? '"))
    return result


def prefix_ids(html: str, prefix: str) -> str:
    """Make ids and in-page links unique to a document, so a packet has no duplicates."""
    if not prefix:
        return html
    html = re.sub(r'\bid="(?!' + re.escape(prefix) + r"--)", f'id="{prefix}--', html)
    return re.sub(r'\bhref="#(?!' + re.escape(prefix) + r"--)", f'href="#{prefix}--', html)


@dataclass(frozen=True)
class Options:
    """How a body is rendered: for which edition, as a worksheet or not, with which blocks."""

    edition: str
    worksheet: bool
    graded: bool
    seed: str
    blocks: dict[str, str]


class CoursepackExtension(Extension):
    """Registers the block and question preprocessor, after whitespace is normalised."""

    def __init__(self, result: Markup, renderer: QuestionRenderer, first_line: int, options: Options):
        super().__init__()
        self.args = (result, renderer, first_line, options)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(BlockPreprocessor(md, *self.args), "coursepack", 25)


class BlockPreprocessor(Preprocessor):
    """Turns fenced ``:::`` blocks and ``?`` question blocks into stashed HTML."""

    def __init__(
        self, md: markdown.Markdown, result: Markup, renderer: QuestionRenderer, first_line: int, options: Options
    ):
        super().__init__(md)
        self.result = result
        self.renderer = renderer
        self.first_line = first_line
        self.options = options
        self.pending_bank = ""

    def problem(self, line: int, message: str) -> None:
        self.result.problems.append((line, message))

    def stash(self, html: str) -> list[str]:
        return ["", self.md.htmlStash.store(html), ""]

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            number = self.first_line + index
            if match := FENCE.match(line):
                end = self.fence_end(lines, index)
                if end is None:
                    self.problem(number, f"the '::: {match.group(1)}' block is not closed: add a line ':::'")
                    end = len(lines)
                out += self.fenced(match.group(1), lines[index + 1 : end], number)
                index = end + 1
            elif self.options.worksheet and (line.startswith("? ") or line.strip() == "?"):
                end = index
                while end < len(lines) and lines[end].strip():
                    end += 1
                out += self.question([(self.first_line + i, lines[i]) for i in range(index, end)])
                index = end
            elif self.options.worksheet and (match := WORD_BANK_HEADING.match(line)):
                out.append(match.group(1))
                self.pending_bank = word_bank(self.part_blanks(lines[index + 1 :]), f"{self.renderer.seed}:{number}")
                index += 1
            else:
                out.append(line)
                index += 1
        return out

    @staticmethod
    def fence_end(lines: list[str], start: int) -> int | None:
        depth = 0
        for index in range(start + 1, len(lines)):
            if FENCE.match(lines[index]):
                depth += 1
            elif FENCE_END.match(lines[index]):
                if depth == 0:
                    return index
                depth -= 1
        return None

    def fenced(self, name: str, inner: list[str], line: int) -> list[str]:
        if name not in BLOCK_NAMES:
            self.problem(line, unknown_field(name, BLOCK_NAMES, "block"))
            return []
        if name in self.options.blocks:
            return self.stash(block_placeholder(name))
        if (name == "teacher") != (self.options.edition == "teacher"):
            return []
        options = self.options
        nested = render(
            "\n".join(inner),
            line + 1,
            edition=options.edition,
            worksheet=options.worksheet,
            graded=options.graded,
            seed=options.seed,
            blocks=options.blocks,
            shared=self.result,
        )
        if name == "student":
            return self.stash(nested.html)
        label = '<p class="teacher-label">Teacher</p>'
        return self.stash(f'<aside class="teacher-only">{label}{nested.html}</aside>')

    def question(self, block: list[tuple[int, str]]) -> list[str]:
        try:
            question = parse_question(block, self.options.graded)
        except QuestionProblem as problem:
            self.problem(problem.line, problem.message)
            return []
        self.result.questions += 1
        self.result.points += question.points or 0
        self.result.key.append((self.result.questions, self.renderer.key(question)))
        html = self.pending_bank + self.renderer.render(question, self.result.questions)
        self.pending_bank = ""
        return self.stash(html)

    def part_blanks(self, lines: list[str]) -> list[str]:
        """The blank answers of the questions up to the next heading."""
        words = []
        for line in lines:
            if HEADING.match(line):
                break
            words += [m.strip() for m in BLANK.findall(line)]
        return words
