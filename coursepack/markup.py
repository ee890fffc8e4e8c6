"""Markdown to sanitised HTML, per edition: fenced blocks, worksheet questions, checked links."""

from __future__ import annotations

import functools
import html as html_module
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import markdown
from markdown.preprocessors import Preprocessor

from . import blocks, links, versions
from .blocks import DEFAULT_KINDS, BlockKind, leak_problems
from .direction import mark_direction
from .fields import unknown_field
from .fragments import Markup, Options, audience, bank_placeholder, block_placeholder, inline, prefix_ids
from .messages import english
from .questionhtml import QuestionRenderer, word_bank
from .questions import BLANK, QuestionProblem, is_pinned, parse_question
from .sanitise import MAX_HTML_DEPTH, attribute, html_depth, html_depth_line, sanitise

WORD_BANK_HEADING = re.compile(r"^(#{1,6}\s.*?)\s*\{\s*word[ -]bank\s*\}\s*$", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}\s")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
GENERATED = ("cluster-map",)
QUOTE_OR_LIST = re.compile(r"^((?:[ \t]*>)*)([ \t]*)(?:[-*+]|\d+[.)])?")
EXTENSIONS = ["tables", "sane_lists", "smarty", "attr_list", "fenced_code", "footnotes", "def_list", "toc"]


@functools.cache
def body_converter(depth: int) -> markdown.Markdown:
    """One converter per nesting depth (a block is converted while its parent is), reset between uses."""
    return markdown.Markdown(extensions=EXTENSIONS)


def render(
    body: str,
    first_line: int,
    *,
    edition: str,
    worksheet: bool = False,
    graded: bool = True,
    seed: str = "",
    blocks: dict[str, str] | None = None,
    kinds: dict[str, BlockKind] | None = None,
    folder: str = "",
    documents: dict[str, str] | None = None,
    version: int = 0,
    words: Mapping[str, str] | None = None,
) -> Markup:
    """Render a Markdown body for an edition; problems carry source line numbers.

    ``blocks`` holds generated HTML for blocks such as ``::: cluster-map``; ``kinds`` the block names
    (the defaults when None); ``folder`` and ``documents`` (course path → id) resolve links; a
    worksheet's ``version`` above 0 (B, C, …) shuffles its questions and choices.
    """
    options = Options(
        edition, worksheet, graded, seed, blocks or {}, kinds or DEFAULT_KINDS, folder, documents or {}, version, words
    )
    return finish(read(body, first_line, options), options)


def render_editions(
    body: str,
    first_line: int,
    editions: dict[str, dict[str, str]],
    *,
    worksheet: bool = False,
    graded: bool = True,
    seed: str = "",
    kinds: dict[str, BlockKind] | None = None,
    folder: str = "",
    documents: dict[str, str] | None = None,
    version: int = 0,
    words: Mapping[str, str] | None = None,
) -> dict[str, Markup]:
    """``render`` for several editions (each with its generated blocks), as if rendered one by one.

    The Markdown is read once for every edition that reads the same: the editions differ only where a
    body has questions, blocks one edition hides, or generated blocks inside other blocks.
    """
    readings: dict[str, Reading] = {}
    results = {}
    for edition, generated in editions.items():
        options = Options(
            edition, worksheet, graded, seed, generated, kinds or DEFAULT_KINDS, folder, documents or {}, version, words
        )
        reading = next((r for e, r in readings.items() if r.serves(e, options)), None)
        readings[edition] = reading or read(body, first_line, options)
        results[edition] = finish(readings[edition], options)
    return results


@dataclass(frozen=True)
class Reading:
    """A body read for one edition, before what only that edition prints or forbids is added."""

    body: str
    first_line: int
    raw: str  # the HTML Markdown made, before sanitising
    sanitised: str
    result: Markup  # html without generated blocks and word banks; problems found by every edition alike
    blocks: dict[str, str]

    def serves(self, edition: str, options: Options) -> bool:
        """Whether this reading (made for ``edition``) is the one ``options`` would make."""
        varies = self.result.varies
        same_audience = audience(edition) == audience(options.edition) or "audience" not in varies
        same_names = set(self.blocks) == set(options.blocks)
        same_blocks = self.blocks == options.blocks or ("generated" not in varies and same_names)
        return same_audience and same_blocks


def read(body: str, first_line: int, options: Options, shared: Markup | None = None) -> Reading:
    """Convert, sanitise and check a body (or, with ``shared``, a block nested in one).

    A nested block passes the body's result as ``shared``, so questions keep one numbering and
    problems, points, answers and images are counted once, for the whole body.
    """
    result = Markup()
    totals = shared or result
    controls = totals.controls if audience(options.edition) == "form" else None
    renderer = QuestionRenderer(
        options.edition == "teacher", inline, options.seed, options.version, options.words, controls
    )
    md = body_converter(options.depth)
    # Before fenced code (25) stashes code blocks, so line numbers stay true after them.
    md.preprocessors.register(BlockPreprocessor(md, totals, renderer, first_line, options), "coursepack", 28)
    raw = md.reset().convert(body)
    totals.images += [(attribute(tag, "src"), attribute(tag, "alt")) for tag in IMG_TAG.findall(raw)]
    link_filter = links.LinkFilter(options.folder, options.documents)
    sanitised = prefix_ids(sanitise(raw, link_filter), options.seed)
    found = links.link_problems(raw, options.folder, options.documents)
    totals.problems += links.problem_lines(body, first_line, found)
    result.html = mark_direction(sanitised)
    if shared:
        html = result.html
        for name, generated in options.blocks.items():
            result.html = result.html.replace(block_placeholder(name), generated)
        if result.html != html:
            totals.varies.add("generated")
    else:
        totals.problems += links.problem_lines(body, first_line, links.missing_anchors(result.html, options.seed))
        result.html = links.cross_references(result.html)
        reported = any(message.startswith("nesting deeper") for _, message in totals.problems)
        if not reported and html_depth(result.html) > MAX_HTML_DEPTH:
            totals.problems.append((html_depth_line(body, first_line), f"nesting deeper than {MAX_HTML_DEPTH}"))
    return Reading(body, first_line, raw, sanitised, result, options.blocks)


def finish(reading: Reading, options: Options) -> Markup:
    """A body's reading for one edition: its generated blocks, word banks and last checks."""
    found, body, first_line = reading.result, reading.body, reading.first_line
    leaks = leak_problems(reading.raw, reading.sanitised, body, first_line, options.kinds, options.edition)
    problems = found.problems + leaks
    html = found.html
    for name, generated in options.blocks.items():
        html = html.replace(block_placeholder(name), generated)
    for number, (seed_key, words) in enumerate(found.banks.items(), start=1):
        html = html.replace(
            bank_placeholder(number), word_bank(words, seed_key, (options.words or english())["word_bank"])
        )
    for placeholder, control in found.controls.items():
        html = html.replace(placeholder, control)
    if options.worksheet and found.questions == 0 and not problems:
        problems.append((first_line, "the worksheet has no questions: start each question with '? '"))
    return replace(
        found,
        html=html,
        problems=problems,
        key=list(found.key),
        images=list(found.images),
        banks=dict(found.banks),
        varies=set(found.varies),
        generated=set(found.generated),
        items=list(found.items),
        controls={},
    )


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
        self.deep = False
        self.written = 0  # questions read so far, in the order written

    def problem(self, line: int, message: str) -> None:
        self.result.problems.append((line, message))

    def stash(self, html: str) -> list[str]:
        return ["", self.md.htmlStash.store(html), ""]

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        code = blocks.code_lines(lines)
        while index < len(lines):
            line = lines[index]
            number = self.first_line + index
            if index in code:
                out.append(line)
                index += 1
                continue
            self.check_depth(line, number)
            if blocks.QUOTED.match(line) and (kramdown := self.kramdown_block(lines, index)):
                out += kramdown[0]
                index = kramdown[1]
            elif (stray := blocks.kramdown_fence(line, number)) is not None:
                self.stray_attributes(
                    line, blocks.strictest(stray, self.options.kinds), number, after_code=index - 1 in code
                )
                index += 1
            elif liquid := blocks.LIQUID.match(line):
                if liquid.group(1) not in blocks.SILENT_LIQUID:
                    self.problem(
                        number,
                        f"the Jekyll tag '{line.strip()}' cannot be followed here: paste in what it stands for, "
                        "or remove the line",
                    )
                index += 1
            elif opened := blocks.opening(line, number):
                end = blocks.closing_index(lines, index, code)
                if end is None:
                    self.problem(number, f"the '{line.strip()}' block is not closed: add a line ':::' after it")
                    end = len(lines)
                out += self.fenced(opened, lines[index + 1 : end])
                index = end + 1
            elif blocks.CLOSE.match(line):
                self.problem(number, "this ':::' closes no block: remove it, or open the block above it")
                index += 1
            elif self.options.worksheet and starts_question(line):
                run, index = self.question_run(lines, index)
                first, self.written = self.written, self.written + len(run)
                pinned = frozenset(i for i, block in enumerate(run) if is_pinned(block[0][1]))
                for place in versions.order(len(run), f"{self.options.seed}:run:{first}", self.options.version, pinned):
                    out += self.question(run[place], first + place)
            elif self.options.worksheet and (match := WORD_BANK_HEADING.match(line)):
                out.append(match.group(1))
                version = f":{self.options.version}" if self.options.version else ""
                self.result.open_bank = f"{self.renderer.seed}:{number}{version}"
                self.result.banks[self.result.open_bank] = []
                self.pending_bank = bank_placeholder(len(self.result.banks))
                index += 1
            else:
                if HEADING.match(line):
                    self.result.open_bank = self.pending_bank = ""
                out.append(line)
                index += 1
        return out

    def question_run(self, lines: list[str], start: int) -> tuple[list[list[tuple[int, str]]], int]:
        """Questions one after another (blank lines between, nothing else): the blocks a version reorders,
        as (line, text) pairs, and the index after the last one."""
        run, index = [], start
        while True:
            end = index + 1
            while end < len(lines) and lines[end].strip() and not blocks.fence_line(lines[end]):
                end += 1
            run.append([(self.first_line + i, lines[i]) for i in range(index, end)])
            following = end
            while following < len(lines) and not lines[following].strip():
                following += 1
            if following == len(lines) or not starts_question(lines[following]):
                return run, end
            index = following
            self.check_depth(lines[index], self.first_line + index)

    def check_depth(self, line: str, number: int) -> None:
        match = QUOTE_OR_LIST.match(line)
        quotes = match.group(1).count(">")
        indent = len(match.group(2).expandtabs(4)) // 4 if match.group(0).strip(" \t>") else 0
        deep = quotes + indent + self.options.depth > blocks.MAX_DEPTH
        if deep and not self.deep:  # once for each run of deep lines
            self.problem(number, f"nesting deeper than {blocks.MAX_DEPTH} (lists, quotes and blocks inside each other)")
        self.deep = deep

    def kramdown_block(self, lines: list[str], start: int) -> tuple[list[str], int] | None:
        """A blockquote closed by ``{: .name}`` is the block ``name``; one holding such blocks is a plain one.

        Returns the stashed output and the index after the block, or None for an ordinary blockquote.
        """
        end = blocks.quoted_run_end(lines, start)
        inner = [blocks.unquote(text) for text in lines[start:end]]
        fence = blocks.kramdown_fence(lines[end], self.first_line + end) if end < len(lines) else None
        if fence is not None:
            return self.fenced(fence, inner, inner_line=self.first_line + start), end + 1
        if any(blocks.kramdown_fence(text, 0) is not None for text in inner):
            fence = blocks.Fence("", "", self.first_line + start)
            return self.fenced(fence, inner, inner_line=self.first_line + start), end
        return None

    def stray_attributes(self, line: str, name: str, number: int, after_code: bool) -> None:
        """A kramdown attribute line on its own: a code block's language is dropped; a lone solution is refused."""
        kind = self.options.kinds.get(name)
        if not after_code and kind is not None and kind.audience == "teacher":
            self.problem(
                number,
                f"the line '{line.strip()}' marks no quoted block, so what it marks would print for students: "
                f"put it in a '::: {name}' block",
            )

    def fenced(self, fence: blocks.Fence, inner: list[str], inner_line: int | None = None) -> list[str]:
        options = self.options
        if fence.name in GENERATED and fence.name in options.blocks:
            self.result.generated.add(fence.name)
            return self.stash(block_placeholder(fence.name))
        fence = blocks.Fence(blocks.strictest(fence, options.kinds), fence.title, fence.line)
        kind = options.kinds.get(fence.name) if fence.name else BlockKind("", "", box=False)
        if kind is None:
            known = [*options.kinds, *GENERATED]
            self.problem(
                fence.line,
                unknown_field(fence.name, known, "block") + " (known blocks are listed in the README; "
                "add your own under [blocks] in course.toml)",
            )
            return []
        if options.depth >= blocks.MAX_DEPTH:
            self.problem(fence.line, f"nesting deeper than {blocks.MAX_DEPTH} (blocks inside blocks)")
            return []
        body_line = fence.line + 1 if inner_line is None else inner_line
        if kind.audience != "all":
            self.result.varies.add("audience")
            for i in (i for i, text in enumerate(inner) if options.worksheet and starts_question(text)):
                self.problem(body_line + i, ONE_EDITION_QUESTION.replace("NAME", fence.name))  # keys would disagree
        if not kind.shown_in(options.edition):
            return []
        title = fence.title
        first = next((i for i, text in enumerate(inner) if text.strip()), None)
        found = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", inner[first]) if first is not None else None
        # A box takes its first heading as its title; a teacher-only block keeps its label ("Solution")
        # and drops a first heading that only repeats it.
        repeats = found and found.group(1).strip().lower() == kind.heading.lower()
        if kind.box and found and not title and (kind.audience != "teacher" or repeats):
            title, inner, body_line = found.group(1), inner[first + 1 :], body_line + first + 1
        nested = read("\n".join(inner), body_line, replace(options, depth=options.depth + 1), self.result).result
        if not kind.box:
            return self.stash(nested.html)
        heading = sanitise(inline(title)) if title else html_module.escape(block_heading(kind, options.words))
        if kind.audience == "teacher":
            label = f'<p class="teacher-label">{heading}</p>'
            return self.stash(f'<aside class="teacher-only block-{kind.name}">{label}{nested.html}</aside>')
        label = f'<p class="box-heading">{heading}</p>'
        lines = THINK_LINES if kind.name == "think" else ""  # room to write a thought down
        if lines:
            self.result.varies.add("audience")  # a form edition puts a field over them
            lines = self.renderer.think(lines, block_heading(kind, options.words))
        return self.stash(f'<aside class="lesson-box block-{kind.name}">{label}{nested.html}{lines}</aside>')

    def question(self, block: list[tuple[int, str]], ordinal: int) -> list[str]:
        self.result.varies.add("audience")  # the teacher edition prints the answers
        try:
            question = parse_question(block, self.options.graded)
            question.ordinal = ordinal
            question = self.renderer.arranged(question)
        except QuestionProblem as problem:
            self.problem(problem.line, problem.message)
            return []
        self.result.questions += 1
        self.result.points += question.points or 0
        self.result.key.append((self.result.questions, self.renderer.key(question)))
        self.result.items.append(question)
        if self.result.open_bank:  # the bank holds only blanks of questions this edition prints
            self.result.banks[self.result.open_bank] += question.blanks
        html = self.pending_bank + self.renderer.render(question, self.result.questions)
        if BLANK.search(html):
            self.problem(question.line, "an answer in [[…]] belongs in a fill-in question's prompt or table cells")
        self.pending_bank = ""
        return self.stash(html)


ONE_EDITION_QUESTION = (
    "a question inside a '::: NAME' block is numbered in one edition only: move it out of the block "
    "(a teacher's note goes under its question as 'Note: …')"
)
THINK_LINES = '<div class="write-lines">' + '<div class="line"></div>' * 3 + "</div>"


def block_heading(kind: BlockKind, words: Mapping[str, str] | None) -> str:
    """A block's printed heading: in the document's language, unless the course named it itself."""
    if words is None or DEFAULT_KINDS.get(kind.name) != kind:
        return kind.heading
    return words.get(f"block_{kind.name.replace('-', '_')}", kind.heading)


def starts_question(line: str) -> bool:
    """A worksheet question starts with '? ' (or is a lone '?', which is told it has no prompt)."""
    return line.startswith("? ") or line.strip() == "?"
