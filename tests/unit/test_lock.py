"""The lock files agree with pyproject.toml, so `make install` gives what was tested.

`make install` / `install-dev` install only `requirements.lock` / `requirements-dev.lock`
(with `--require-hashes`) and then the project with `--no-deps`: a dependency added to
pyproject.toml but not locked would be missing at run time. These tests fail until
`make lock` has been run after such a change.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")
# The lock's target (see LOCK_TARGET in the Makefile): markers are evaluated for it.
TARGET = default_environment() | {"python_version": "3.11", "python_full_version": "3.11.0",
                                  "sys_platform": "linux", "platform_system": "Linux",
                                  "platform_machine": "x86_64", "os_name": "posix"}


def read_lock(name: str) -> dict[str, tuple[Version, list[str]]]:
    """Package -> (pinned version, its hashes)."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    current: str | None = None
    for line in (REPO / name).read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (Version(match[2]), [])
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(hashed[1])
    return pins


def project() -> dict[str, list[str]]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]  # type: ignore[no-any-return]


def applies(requirement: Requirement, extra: str = "") -> bool:
    return requirement.marker is None or requirement.marker.evaluate(TARGET | {"extra": extra})


def extras_requirements(requirement: Requirement) -> list[Requirement]:
    """What the requirement's extras ('[job-queue,rate-limiter]') add, from the installed
    distribution's metadata (the same version as the lock's: `make install` put it there)."""
    found = []
    for line in metadata.requires(requirement.name) or []:
        extra_requirement = Requirement(line)
        if any(applies(extra_requirement, extra) and extra_requirement.marker is not None
               for extra in requirement.extras):
            found.append(extra_requirement)
    return found


def assert_locked(requirement: Requirement, pins: dict[str, tuple[Version, list[str]]],
                  lock: str) -> None:
    name = canonicalize_name(requirement.name)
    if name not in pins:
        pytest.fail(f"{requirement} is not in {lock}: run `make lock`")
    version, hashes = pins[name]
    assert requirement.specifier.contains(version, prereleases=True), (
        f"{lock} pins {name}=={version}, outside {requirement}: run `make lock`")
    assert hashes, f"{lock} has no hash for {name}"


@pytest.mark.parametrize(("lock", "groups"), [
    ("requirements.lock", ("dependencies",)),
    ("requirements-dev.lock", ("dependencies", "dev")),
])
def test_every_requirement_of_pyproject_is_pinned_with_hashes(
    lock: str, groups: tuple[str, ...]
) -> None:
    pins = read_lock(lock)
    spec = project()
    lines = [*spec["dependencies"]] if "dependencies" in groups else []
    if "dev" in groups:
        lines += spec["optional-dependencies"]["dev"]  # type: ignore[call-overload]
    for line in lines:
        requirement = Requirement(line)
        if not applies(requirement):
            continue
        assert_locked(requirement, pins, lock)
        for added in extras_requirements(requirement):
            assert_locked(added, pins, lock)


def test_every_pinned_package_has_a_hash_and_the_two_locks_agree() -> None:
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    assert all(hashes for _version, hashes in runtime.values())
    assert all(hashes for _version, hashes in dev.values())
    # The dev lock is the runtime lock plus the tools: the same version of every shared
    # package, so tests run exactly what `make run` runs.
    assert set(runtime) <= set(dev)
    assert {name: dev[name][0] for name in runtime} == {n: v for n, (v, _h) in runtime.items()}


def test_the_installed_packages_are_the_locked_versions() -> None:
    """What this test run imports is what the dev lock says (a stale .venv fails here)."""
    wrong = {}
    for name, (version, _hashes) in read_lock("requirements-dev.lock").items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (str(version), installed and str(installed))
    assert wrong == {}, "installed versions differ from requirements-dev.lock: make install-dev"
