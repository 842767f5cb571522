"""Property-based API testing: schemathesis sends schema-derived and hostile requests; none may be a 5xx.

The app runs in a real server on this test's event loop; schemathesis (synchronous) runs in a
thread, as an admin, so every operation is reached past the access guard.
"""

import asyncio
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from headwater.serve import serve_http
from schemas.auth import Role
from tests.conftest import free_port
from tests.web.conftest import bearer
from web.app import create_app
from web.services import WebServices

EXAMPLES_PER_OPERATION = 25
SKIPPED = {
    "WhoAmI": "no parameters, one fixed answer (tests/security/test_tokens.py)",
    "CheckReadiness": "503 is its documented answer while consumer groups have not joined",
}


def fuzz(base_url: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Run every operation with bounded positive and negative examples; return (requests, failures)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/docs/openapi.json", headers=headers)
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: Any) -> None:
                nonlocal sent
                sent += 1
                response = case.call(base_url=base_url, headers=headers)
                case.validate_response(response, checks=[not_a_server_error], headers=headers)

            try:
                check()
            except Unsatisfiable:
                continue  # e.g. no parameters to make invalid: nothing to send in negative mode
            except BaseException as exc:  # schemathesis raises a group; one per operation and mode will do
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append(f"{operation.label} ({mode}): {exc}")
    return sent, failures


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_schemathesis_finds_no_server_error(services: WebServices, tokens: dict[Role, str]) -> None:
    local = services.settings.model_copy(update={"allowed_hosts": ["127.0.0.1"]})
    app = create_app(replace(services, settings=local))

    async with serve_http(app, "127.0.0.1", free_port()) as url:
        sent, failures = await asyncio.to_thread(fuzz, url, bearer(tokens[Role.ADMIN]))

    assert failures == [], "\n\n".join(failures)
    assert sent >= 100
