"""SSE parsing and the three terminal-frame shapes of contract §5."""

from musicgen.streaming import StreamAssembler, iter_sse_data


def test_sse_blank_comment_crlf_and_optional_space():
    lines = [": keep-alive\r\n", 'data: {"a":1}\r\n', "\r\n", "\r\n", 'data:{"b":2}', "", "event: x", "data: [DONE]"]
    assert list(iter_sse_data(lines)) == ['{"a":1}', '{"b":2}', "[DONE]"]


def test_multiline_data_joined():
    assert list(iter_sse_data(["data: a", "data: b", ""])) == ["a\nb"]


def feed(chunks, terminal):
    asm = StreamAssembler()
    out = [asm.add_chunk(c.hex()) for c in chunks]
    out.append(asm.add_terminal(terminal.hex(), {"music_duration": 1}))
    return bytes(asm.audio), b"".join(out)


def test_terminal_with_whole_song_is_not_doubled():
    assert feed([b"AB", b"CD"], b"ABCDEF") == (b"ABCDEF", b"ABCDEF")


def test_terminal_with_only_the_tail_is_appended():
    assert feed([b"AB", b"CD"], b"EF") == (b"ABCDEF", b"ABCDEF")


def test_terminal_without_audio():
    assert feed([b"AB", b"CD"], b"") == (b"ABCD", b"ABCD")


def test_terminal_alone_is_the_song():
    assert feed([], b"WHOLE") == (b"WHOLE", b"WHOLE")
