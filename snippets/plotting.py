"""matplotlib 그림에 한글을 쓰려면: 사이트의 본문 글꼴 Pretendard를 그림에도 써요.

그리기 전에 use_korean_font()를 불러 주세요. 터미널에서 `python -m snippets...`로 실행해도(이때
plt.show()는 평소처럼 창을 띄워요), 사이트를 만들 때도 똑같이 동작해요. 글꼴 파일은 snippets/fonts/에
있어요(tools/fonts.py가 npm 패키지에서 가져와요).
"""

from pathlib import Path

from matplotlib import font_manager, rcParams

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "Pretendard-Regular.otf"


def use_korean_font():
    """Pretendard를 matplotlib에 등록하고 기본 글꼴로 정해요. 여러 번 불러도 결과는 같아요."""
    if not any(Path(entry.fname) == FONT_FILE for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(FONT_FILE))
    name = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    # Pretendard에 없는 몇몇 기호는 matplotlib의 기본 글꼴 DejaVu Sans가 그려요.
    rcParams["font.family"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False  # 눈금의 음수 기호도 코드와 출력처럼 보통의 "-"로 써요
