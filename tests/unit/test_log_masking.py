import io
import json
import logging

from leadline.observability import logger


def test_the_functions_logger_masks_caller_numbers_wherever_they_appear():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        logger.info("call from +15125550100 ended", extra={"caller": "(512) 555-0199", "to": "5125550142"})
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue().strip()
    record = json.loads(line)
    assert "555" not in line
    assert record["message"] == "call from +*********00 ended"
    assert record["caller"].endswith("99") and record["to"].endswith("42")
