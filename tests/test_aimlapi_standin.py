"""The proxy stand-in itself, spoken to with bare httpx: the contract its tests and benchmarks rely on."""

import httpx
import pytest

from musicgen.aimlapi.standin import ProxyFault, ProxyStandIn, TaskPlan, VirtualClock

KEY = "standin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
BODY = {
    "model": "minimax/music-2.6",
    "prompt": "a calm song with piano",
    "lyrics": "[Verse]\nla la la la la",
    "audio_setting": {"format": "wav", "sample_rate": 16000},
}


@pytest.fixture
def clock():
    return VirtualClock()


@pytest.fixture
def server(clock):
    with ProxyStandIn(api_key=KEY, clock=clock.now, audio_s=0.2, default_plan=TaskPlan(1.0, 4.0)) as s:
        yield s


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, headers=AUTH) as c:
        yield c


def poll(http, task_id):
    return http.get("/v2/generate/audio", params={"generation_id": task_id}).json()


def test_task_moves_queued_generating_completed_on_the_clock(http, clock):
    created = http.post("/v2/generate/audio", json=BODY)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "queued" and body["meta"]["usage"] == {"credits_used": 390000, "usd_spent": 0.195}
    clock.sleep(1.0)
    assert poll(http, body["id"])["status"] == "generating"
    clock.sleep(4.0)
    done = poll(http, body["id"])
    assert done["status"] == "completed" and "meta" not in done
    audio = httpx.get(done["audio_file"]["url"])  # no key needed for the file
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"


def test_file_is_not_there_before_completion(http, server):
    task_id = http.post("/v2/generate/audio", json=BODY).json()["id"]
    assert httpx.get(f"{server.url}/files/{task_id}.wav").status_code == 404


def test_failing_task_reports_name_and_message(http, server, clock):
    server.plan(TaskPlan(0.0, 1.0, error=("GenerationError", "model overloaded")))
    task_id = http.post("/v2/generate/audio", json=BODY).json()["id"]
    clock.sleep(1.0)
    assert poll(http, task_id) == {
        "id": task_id,
        "status": "error",
        "error": {"name": "GenerationError", "message": "model overloaded"},
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model": "minimax/music-2.6-free"}, "model must be one of"),
        ({"prompt": "short"}, "prompt must be between 10 and 2000"),
        ({"lyrics": "l" * 3001}, "lyrics must be between 10 and 3000"),
        ({"audio_setting": {"sample_rate": 44100}}, "audio_setting.format is required"),
        ({"is_instrumental": True}, "property is_instrumental should not exist"),
    ],
)
def test_submission_is_validated_like_the_schema(http, server, change, words):
    resp = http.post("/v2/generate/audio", json={**BODY, **change})
    assert resp.status_code == 400 and any(words in m for m in resp.json()["message"])
    assert server.tasks == {}


def test_bad_key_is_401_and_faults_follow_their_route(server):
    assert httpx.post(f"{server.url}/v2/generate/audio", json=BODY).status_code == 401
    server.inject(ProxyFault("http", status=429, retry_after=3, route="poll"))
    with httpx.Client(base_url=server.url, headers=AUTH) as http:
        task_id = http.post("/v2/generate/audio", json=BODY).json()["id"]  # not the poll fault's route
        limited = http.get("/v2/generate/audio", params={"generation_id": task_id})
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        assert http.get("/v2/generate/audio", params={"generation_id": task_id}).status_code == 200
    with pytest.raises(ValueError):
        ProxyFault("http", route="nowhere")


def test_requests_are_logged_per_task(http, server, clock):
    task_id = http.post("/v2/generate/audio", json=BODY).json()["id"]
    poll(http, task_id)
    clock.sleep(5)
    httpx.get(poll(http, task_id)["audio_file"]["url"])
    assert [r["method"] for r in server.requests_for(task_id)] == ["POST", "GET", "GET", "GET"]
    assert server.tasks[task_id].polls == 2 and server.tasks[task_id].downloads == [5.0]
