"""README.md opens with exactly two one-line commands: run the demo, run the tests."""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_opens_with_the_demo_and_the_test_command():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ")
    assert lines[2:8] == [
        "```sh",
        lines[3],
        "```",
        "```sh",
        lines[6],
        "```",
    ]
    assert lines[3].endswith("suqiu demo") and "pip install" in lines[3]
    assert lines[6].endswith("-m pytest") and "'.[test]'" in lines[6]
