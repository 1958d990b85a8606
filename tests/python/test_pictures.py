"""mgrad.Session(pictures=True): commands draw in memory and the run returns Picture events
(what the Jupyter kernel shows inline); Session.is_incomplete is the REPL's continuation rule."""

import html

import mgrad

LECTURE = "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c) * f\n:backward L\n"


def test_draw_without_a_file_is_a_picture():
    s = mgrad.Session(pictures=True)
    r = s.run(LECTURE + ":draw L")
    (picture,) = r.pictures
    assert picture.format == "svg" and picture.caption == "L"
    assert "data -8.0000" in html.unescape(picture.data.decode())
    bundle = picture._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<?xml") and bundle["text/plain"] == "L"
    assert str(r) == ""  # a picture is not text
    png = s.run(":plot x**2 x=-1..1").pictures[0]
    assert png.format == "png" and png.data.startswith(b"\x89PNG")
    assert png._repr_mimebundle_()["image/png"] == png.data


def test_trace_frames_interleave_with_their_lines():
    s = mgrad.Session(pictures=True)
    r = s.run("a = 2; b = -3; L = a * b\n:trace L frames")
    kinds = [type(e).__name__ for e in r.events]
    assert kinds == ["Text", "Picture"] * 3
    assert [e.caption for e in r.pictures] == [e.text.rstrip("\n") for e in r.events[::2]]


def test_a_plain_session_writes_a_file(tmp_path, monkeypatch):
    # Without pictures, `:draw L` writes L.svg, as `mgrad --draw L` does; no picture event.
    monkeypatch.chdir(tmp_path)
    s = mgrad.Session()
    r = s.run(LECTURE + ":draw L")
    assert r.ok and not r.pictures
    assert (tmp_path / "L.svg").read_text().startswith("<?xml")
    r = s.run(":draw", check=False)
    assert not r.ok and "usage: :draw NAME [FILE]" in r.errors[0].message


def test_is_incomplete():
    assert mgrad.Session.is_incomplete("L = (a +")
    assert mgrad.Session.is_incomplete("y = a *\n")
    assert not mgrad.Session.is_incomplete("y = a * b\n")
    assert not mgrad.Session.is_incomplete("y = a * )")  # an error, not more to type
