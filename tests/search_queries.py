"""What a reader types into the search box, and the page that must come first.

Each expected page is the one that is about the term (where the guide introduces or explains it),
not whichever page happens to rank first. Pages are URLs below the site root ("" is the home page).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Query:
    text: str
    first: str  # the page the first result must be on
    kind: str


NOUN = "명사"
NOUN_PARTICLE = "명사+조사"
NOUN_VERB = "명사+하다"
READING = "한글 읽기"
IDENTIFIER = "영문 식별자"
OTHER_SPELLING = "다른 표기"  # a spelling or term the guide does not use, listed in the glossary

QUERIES = [
    # steps/data/ introduces the validation set (**검증 세트**); more/testing/ then contrasts it with the test.
    Query("검증", "steps/data/", NOUN),
    Query("검증을", "steps/data/", NOUN_PARTICLE),
    Query("정확도", "steps/training/", NOUN),
    Query("정확도가", "steps/training/", NOUN_PARTICLE),
    Query("옵티마이저", "steps/training/", NOUN),
    Query("옵티마이저를", "steps/training/", NOUN_PARTICLE),
    Query("손실을", "steps/training/", NOUN_PARTICLE),
    Query("역전파는", "steps/training/", NOUN_PARTICLE),
    Query("에폭마다", "steps/training/", NOUN_PARTICLE),
    Query("데이터로더", "steps/data/", NOUN),
    Query("데이터로더가", "steps/data/", NOUN_PARTICLE),
    Query("정규화를", "steps/data/", NOUN_PARTICLE),
    Query("변환을", "steps/data/", NOUN_PARTICLE),
    Query("체크포인트", "more/saving/", NOUN),
    Query("체크포인트에서", "more/saving/", NOUN_PARTICLE),
    Query("저장하기", "more/saving/", NOUN_VERB),
    Query("추론에", "more/predict/", NOUN_PARTICLE),
    Query("테스트를", "more/testing/", NOUN_PARTICLE),
    Query("스케줄러", "more/schedulers/", NOUN),
    Query("스케줄러를", "more/schedulers/", NOUN_PARTICLE),
    Query("기울기 누적", "more/optimization/", NOUN),
    Query("수동 최적화", "more/optimization/", NOUN),
    Query("Fabric", "more/fabric/", IDENTIFIER),
    Query("로거", "more/logging/", NOUN),
    Query("로거를", "more/logging/", NOUN_PARTICLE),
    Query("훅", "more/hooks/", NOUN),
    Query("훅이", "more/hooks/", NOUN_PARTICLE),
    Query("훅을", "more/hooks/", NOUN_PARTICLE),
    Query("진행 막대가", "steps/run/", NOUN_PARTICLE),
    Query("파이토치", "", READING),
    Query("라이트닝", "", READING),
    Query("파이토치 라이트닝", "", READING),
    Query("DataLoader", "steps/data/", IDENTIFIER),
    Query("DataLoader를", "steps/data/", IDENTIFIER),
    Query("training_step", "steps/training/", IDENTIFIER),
    Query("validation_step", "steps/training/", IDENTIFIER),
    Query("Trainer", "steps/run/", IDENTIFIER),
    Query("Trainer가", "steps/run/", IDENTIFIER),
    Query("LightningModule", "steps/model/", IDENTIFIER),
    Query("LightningDataModule", "steps/data/", IDENTIFIER),
    Query("state_dict", "more/saving/", IDENTIFIER),
    Query("에포크", "steps/training/", OTHER_SPELLING),
    Query("코랩", "notebooks/", OTHER_SPELLING),
    Query("분산 학습", "beyond/ddp/", OTHER_SPELLING),
    Query("교차 엔트로피", "steps/training/", OTHER_SPELLING),
    Query("크로스 엔트로피", "steps/training/", OTHER_SPELLING),
    Query("하이퍼파라미터", "more/saving/", OTHER_SPELLING),
    Query("스케쥴러", "more/schedulers/", OTHER_SPELLING),
    Query("그래디언트 누적", "more/optimization/", OTHER_SPELLING),
    Query("패브릭", "more/fabric/", OTHER_SPELLING),
]

# A noun, the page about it and the noun with particles: every form must give the same results as the noun.
# 모델 is here rather than in QUERIES: the titles of 2단계: 모델 만들기 and 3단계: 모델 훈련하기 both
# carry it and the two pages score within 1% of each other, so the order between them is a toss-up.
PARTICLE_FORMS = [
    ("모델", "steps/model/", ["모델이", "모델을", "모델의", "모델에서는"]),
    ("검증", "steps/data/", ["검증을", "검증은", "검증과"]),
    ("정확도", "steps/training/", ["정확도가", "정확도를"]),
    ("옵티마이저", "steps/training/", ["옵티마이저를", "옵티마이저가"]),
    ("체크포인트", "more/saving/", ["체크포인트를", "체크포인트로"]),
    ("훅", "more/hooks/", ["훅이", "훅을", "훅은"]),
    ("DataLoader", "steps/data/", ["DataLoader를", "DataLoader로"]),
    ("Trainer", "steps/run/", ["Trainer가", "Trainer에"]),
]
