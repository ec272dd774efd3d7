"""One word for one idea: the pages and the snippets' Korean text use the guide's terms.

Two checks, both functions tested below on made-up text as well as run on the real files:

- `replaced_terms`: a word the guide has replaced (씨앗, 정답, 진행 표시, "PyTorch 버전", 당신, ...)
  found in docs/**/*.md (outside a glossary row's "다른 표기: ..." list of the spellings readers search
  for) or in a Korean string or comment of snippets/**/*.py. The message names
  file:line, what was found and the form to write instead.
- `spaced_particles`: a bold span followed by a space (or a line break, which a browser shows as a
  space) and then a Korean particle, as in "**훈련 세트** 를"; the guide writes "**훈련 세트**를".

A phrase can be broken over two lines in Markdown, so every space in a pattern matches any run of
whitespace, line breaks included, and a hit is reported on the line where it starts.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

# The glossary lists the spellings readers search for ("다른 표기: 에포크."), which the guide itself never uses.
from tools.engine.search_index import OTHER_SPELLINGS

ROOT = Path(__file__).resolve().parent.parent
HANGUL = "가-힣"


@dataclass(frozen=True)
class Term:
    replaced: str  # a regular expression; a space in it matches any whitespace, line breaks included
    preferred: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.replaced.replace(" ", r"\s+"))


# The guide's terms (docs/glossary.md) and the forms they replace.
TERMS = [
    Term("씨앗", "시드"),
    # In a guide about training, 정답 reads as the label; for "the right answer" say it another way.
    Term("정답", "레이블 (for labels; otherwise rephrase)"),
    Term(f"(?<![{HANGUL}])라벨", "레이블"),
    Term("진행 ?표시", "진행 막대"),
    # "PyTorch 버전" reads as a version number; a version number itself (버전 2.6) is fine.
    Term(r"PyTorch 버전(?! ?\d)", "PyTorch 코드"),
    Term(r"Lightning 버전(?! ?\d)", "Lightning 코드"),
    Term("두 버전", "두 코드 (or 두 방식)"),
    Term("당신", "여러분"),
    Term("에포크|에포치", "에폭"),
    Term("옵티마이져", "옵티마이저"),
    Term("데이터 로더", "데이터로더"),
    Term("데이타", "데이터"),
    Term(f"데이터 셋(?![{HANGUL}])", "데이터셋"),
    Term(f"(훈련|학습|검증|테스트) ?셋(?![{HANGUL}])", "훈련 세트 / 검증 세트 / 테스트 세트"),
    Term("학습 ?(세트|데이터)", "훈련 세트 / 훈련 데이터"),
    Term("배치 ?사이즈", "배치 크기"),
    Term(f"(?<![{HANGUL}])로스(?![{HANGUL}])", "손실"),
    Term("그래디언트|그라디언트|그레이디언트", "기울기"),
    Term("백프로파게이션|백프롭", "역전파"),
    Term("러닝 ?레이트", "학습률"),
    Term("스케쥴러", "스케줄러"),
    Term("파라메터", "파라미터"),
    Term("웨이트", "가중치"),
    Term(f"(?<![{HANGUL}])바이어스", "편향"),
    Term("체크 포인트", "체크포인트"),
    Term("메트릭", "지표"),
    Term("인퍼런스", "추론"),
    Term("노멀라이(즈|제이션)", "정규화"),
    Term("후크", "훅"),
    Term("스텝을 (한 번 |덜 |두 번 )?밟", '스텝을 하다 ("밟다"는 영어 take a step을 옮긴 말)'),
    Term("작업자 ?프로세스", "워커 프로세스"),
    Term("학습할 파라미터", "훈련할 파라미터"),
    # Calques of English idioms that a review found (the price of convenience, raw scores, walk back through).
    Term("편리함의 값", "rephrase: 편리함의 대가 / 편리한 만큼 드는 비용"),
    Term("날것의", "rephrase: 가공하지 않은 (logits: 소프트맥스 전의 점수)"),
    Term("거꾸로 거슬러", "rephrase: 거슬러 올라가며 / 뒤에서부터"),
]

PARTICLES = sorted(
    "을 를 이 가 은 는 와 과 의 에 로 으로 도 만 에서 에게 까지 부터 처럼 보다 이나 나 랑 이랑 "
    "에는 에도 로는 으로는 와는 과는 이라고 라고 이에요 예요 이죠 죠 이다".split(),
    key=len,
    reverse=True,
)
# A bold span (**...**, no * inside, not ending a sentence), whitespace, then a particle standing as its own
# word. After a sentence ends in bold ("**돌려줘요.** 이 코드는"), 이 is the next sentence's first word.
SPACED_PARTICLE = re.compile(
    rf"\*\*[^*\n]*?[^*\n.!?]\*\*(?P<space>\s+)(?P<particle>{'|'.join(PARTICLES)})(?![{HANGUL}])"
)
FENCE = re.compile(r"^(?P<indent> *)(?P<mark>`{3,}|~{3,}).*?$\n(?:.*\n)*?(?P=indent)(?P=mark)[`~]* *$", re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def term_problems(text: str, where: str, first_line: int = 1) -> list[str]:
    """Replaced terms in `text`, which starts on line `first_line` of the file named `where`."""
    problems = []
    for term in TERMS:
        for match in term.pattern.finditer(text):
            found = " ".join(match[0].split())
            line = first_line + line_of(text, match.start()) - 1
            problems.append((match.start(), f"{where}:{line}: '{found}' -> write {term.preferred}"))
    return [message for _, message in sorted(problems)]


def korean_text_of_python(source: str) -> list[tuple[int, str]]:
    """(first line, text) of every comment and string literal holding Korean, f-string parts included."""
    kinds = {tokenize.COMMENT, tokenize.STRING} | {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    return [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type in kinds and re.search(f"[{HANGUL}]", token.string)
    ]


def blank_out(pattern: re.Pattern[str], text: str) -> str:
    """`text` with each match of `pattern` replaced by x's, its line breaks kept: offsets and lines stay right.

    Not by spaces: a blanked code span must not put a particle right after a bold word ("**a** `b`는").
    """
    return pattern.sub(lambda match: re.sub(r"[^\n]", "x", match[0]), text)


def particle_problems(markdown: str, where: str) -> list[str]:
    prose = blank_out(CODE_SPAN, blank_out(FENCE, markdown))
    problems = []
    for match in SPACED_PARTICLE.finditer(prose):
        bold, found = markdown[match.start() : match.start("space")], markdown[match.start() : match.end()]
        line = line_of(prose, match.start("space"))
        problems.append(f"{where}:{line}: '{' '.join(found.split())}' -> write '{bold}{match['particle']}'")
    return problems


def markdown_files(root: Path) -> list[Path]:
    return sorted((root / "docs").rglob("*.md"))


def python_files(root: Path) -> list[Path]:
    return sorted((root / "snippets").rglob("*.py"))


def replaced_terms(root: Path) -> list[str]:
    problems = []
    for path in markdown_files(root):
        text = blank_out(OTHER_SPELLINGS, path.read_text(encoding="utf-8"))
        problems += term_problems(text, path.relative_to(root).as_posix())
    for path in python_files(root):
        where = path.relative_to(root).as_posix()
        for first_line, text in korean_text_of_python(path.read_text(encoding="utf-8")):
            problems += term_problems(text, where, first_line)
    return problems


def spaced_particles(root: Path) -> list[str]:
    return [
        problem
        for path in markdown_files(root)
        for problem in particle_problems(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())
    ]


# --- the guide itself ----------------------------------------------------------------------------


def test_pages_and_snippets_use_the_guides_terms():
    problems = replaced_terms(ROOT)
    assert problems == [], "\n" + "\n".join(problems)


def test_no_space_between_a_bold_word_and_its_particle():
    problems = spaced_particles(ROOT)
    assert problems == [], "\n" + "\n".join(problems)


def test_the_checks_see_every_page_and_snippet():
    pages = {path.relative_to(ROOT).as_posix() for path in markdown_files(ROOT)}
    assert {"docs/index.md", "docs/glossary.md", "docs/steps/data.md", "docs/steps/run.md"} <= pages
    snippets = {path.relative_to(ROOT).as_posix() for path in python_files(ROOT)}
    assert {"snippets/steps/data/pytorch.py", "snippets/steps/run/lightning.py"} <= snippets


# --- the checks, on made-up text -----------------------------------------------------------------


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "docs/good.md",
        "# 좋은 글\n\n**훈련 세트**를 시드 42로 나눠요. 레이블과 진행 막대를 봐요.\n"
        "**PyTorch** 코드와 **Lightning** 코드를 비교해요. pytorch-lightning 버전 2.6.6을 써요.\n"
        "**배치** 이미지는 32장이에요. 크로스 엔트로피 손실을 써요.\n\n"
        "```bash\necho **굵게** 를\n```\n\n`**코드**` 를 그대로 둬요.\n",
    )
    write(tmp_path, "snippets/good.py", 'SEED = 42  # 시드를 고정해요\nprint(f"레이블: {SEED}")\n')
    return tmp_path


def test_the_checks_accept_the_guides_terms(project):
    assert replaced_terms(project) == []
    assert spaced_particles(project) == []


def test_a_replaced_term_is_reported_with_its_line_and_the_preferred_form(project):
    write(
        project,
        "docs/steps/bad.md",
        '# 나쁜 글\n\n씨앗을 고정하고 정답과 비교해요.\n\n=== "Lightning"\n\n    진행 표시가 나와요. 두\n'
        "    버전이 같아요. PyTorch\n    버전도 돌아가요. 당신의 코드예요.\n",
    )
    assert term_problems("Lightning 버전이에요.", "x.md") == ["x.md:1: 'Lightning 버전' -> write Lightning 코드"]
    assert [problem for problem in replaced_terms(project) if problem.startswith("docs/")] == [
        "docs/steps/bad.md:3: '씨앗' -> write 시드",
        "docs/steps/bad.md:3: '정답' -> write 레이블 (for labels; otherwise rephrase)",
        "docs/steps/bad.md:7: '진행 표시' -> write 진행 막대",
        "docs/steps/bad.md:7: '두 버전' -> write 두 코드 (or 두 방식)",
        "docs/steps/bad.md:8: 'PyTorch 버전' -> write PyTorch 코드",
        "docs/steps/bad.md:9: '당신' -> write 여러분",
    ]


def test_only_korean_strings_and_comments_of_a_snippet_are_read(project):
    write(
        project,
        "snippets/steps/bad.py",
        '"""Docstring."""\n\nx = 1  # 같은 씨앗\nname = f"{x} 에포크"\ntext = """첫 줄\n라벨 둘째 줄"""\n',
    )
    assert [problem for problem in replaced_terms(project) if "steps/bad" in problem] == [
        "snippets/steps/bad.py:3: '씨앗' -> write 시드",
        "snippets/steps/bad.py:4: '에포크' -> write 에폭",
        "snippets/steps/bad.py:6: '라벨' -> write 레이블",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**훈련 세트** 를 나눠요.", "x.md:1: '**훈련 세트** 를' -> write '**훈련 세트**를'"),
        ("앞 줄\n**모델**\n이 있어요.", "x.md:2: '**모델** 이' -> write '**모델**이'"),
        ("**변환(transform)** 으로 바꿔요.", "x.md:1: '**변환(transform)** 으로' -> write '**변환(transform)**으로'"),
        (
            "**`LightningDataModule`** 을 넘겨요.",
            "x.md:1: '**`LightningDataModule`** 을' -> write '**`LightningDataModule`**을'",
        ),
        ("    **109,386개** 예요.", "x.md:1: '**109,386개** 예요' -> write '**109,386개**예요'"),
    ],
)
def test_a_space_before_a_particle_is_reported(text, expected):
    assert particle_problems(text, "x.md") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "**훈련 세트**를 나눠요.",
        "**배치** 이미지예요.",  # 이미지 is a word, not the particle 이
        "**PyTorch** 코드와 **Lightning** 코드",
        "`**kwargs` 를 넘겨요.",  # inside a code span
        "```text\n**굵게** 를\n```",  # inside a fence
        "**굵게**\n\n- 목록이에요.",
        "**돌려줘요.** `batch`는 한 쌍이에요.",  # a code span, not a particle, follows the bold
        "**따로 만들어요.** 이 가이드는",  # the bold ends a sentence: 이 starts the next one
    ],
)
def test_what_is_not_a_spaced_particle(text):
    assert particle_problems(text, "x.md") == []


def test_a_glossary_rows_other_spellings_are_allowed_there_only(project):
    write(
        project,
        "docs/glossary.md",
        "| 에폭 | epoch | 한 바퀴예요. 다른 표기: 에포크, 에포치. ([더 보기](x.md)) |\n\n한 에포크가 끝나요.\n",
    )
    assert [problem for problem in replaced_terms(project) if "glossary" in problem] == [
        "docs/glossary.md:3: '에포크' -> write 에폭"
    ]


def test_the_forms_issue_17_found_are_reported():
    text = "작업자 프로세스가 학습할 파라미터를 봐요. 편리함의 값과 날것의 점수를 거꾸로 거슬러 가요. 스텝을 밟아요."
    found = [problem.split(" -> ")[0] for problem in term_problems(text, "x.md")]
    assert found == [
        "x.md:1: '작업자 프로세스'",
        "x.md:1: '학습할 파라미터'",
        "x.md:1: '편리함의 값'",
        "x.md:1: '날것의'",
        "x.md:1: '거꾸로 거슬러'",
        "x.md:1: '스텝을 밟'",
    ]
