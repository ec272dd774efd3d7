"""matplotlib 그림에 한글을 쓰려면: 사이트의 본문 글꼴 Pretendard를 그림에도 써요.

그리기 전에 use_korean_font()를 불러 주세요. 터미널에서 `python -m snippets...`로 실행해도(이때
plt.show()는 평소처럼 창을 띄워요), 사이트를 만들 때도, 저장소 안에서 노트북을 열어도 똑같이 동작해요.
글꼴 파일은 snippets/fonts/에 있어요(tools/fonts.py가 npm 패키지에서 가져와요).
"""

# --8<-- [start:font]
from pathlib import Path

from matplotlib import font_manager, rcParams

FONT_PATH = Path("snippets", "fonts", "Pretendard-Regular.otf")


def find_font_file():
    """저장소의 글꼴 파일: 지금 폴더에서 위로 올라가며 처음 만나는 snippets/fonts/의 Pretendard예요."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / FONT_PATH).is_file():
            return folder / FONT_PATH
    return None


def use_korean_font():
    """Pretendard를 matplotlib에 등록하고 기본 글꼴로 정해요. 여러 번 불러도 결과는 같아요."""
    font_file = find_font_file()
    if font_file is None:  # 저장소 밖(Colab 등)
        print(f"{FONT_PATH.as_posix()}를 찾지 못했어요. 그림의 한글이 네모로 보일 수 있어요.")
        return
    if not any(Path(entry.fname) == font_file for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(font_file))
    name = font_manager.FontProperties(fname=str(font_file)).get_name()
    # Pretendard에 없는 몇몇 기호는 matplotlib의 기본 글꼴 DejaVu Sans가 그려요.
    rcParams["font.family"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False  # 눈금의 음수 기호도 코드와 출력처럼 보통의 "-"로 써요


# --8<-- [end:font]
