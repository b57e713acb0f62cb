"""Acceptance: report.html opens in headless Chromium with every chart rendered.

Two Chromium runs over a 45-job run's report: a screenshot of the page (checked not blank with PIL),
and --dump-dom of a copy with a probe script appended that, after load, checks every <img> decoded
(naturalWidth > 0) and draws it on a canvas to count its non-white pixels. The report itself has no
script; only the probe copy does. Chromium missing is a failure, not a skip: install it with
`apt-get install -y chromium` (Debian/Ubuntu) or set SUITE_CHROMIUM to a Chrome/Chromium binary.
"""

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from suite.report import write_reports

try:
    from tests.helpers.synthetic_run import CHARTS, synthetic_run
except ImportError:  # tests collected as a package
    from tests.test_report_html import CHARTS, synthetic_run

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
WIDTH, HEIGHT = 1280, 4000

PROBE = """
<script>
window.addEventListener("load", () => {
  const out = [...document.images].map((img) => {
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    let ink = 0, colours = new Set();
    if (img.complete && img.naturalWidth > 0) {
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 16) {
        if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) ink++;
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      ink = ink / (d.length / 16);
    }
    return {alt: img.alt, complete: img.complete, width: img.naturalWidth,
            height: img.naturalHeight, ink: ink, colours: colours.size,
            shown: img.getBoundingClientRect().width};
  });
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def chromium() -> str:
    exe = os.environ.get("SUITE_CHROMIUM")
    for name in ([exe] if exe else []) + ["chromium", "chromium-browser", "google-chrome", "chrome"]:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "Chromium is not installed, so report.html cannot be checked in a browser. Install it "
        "(Debian/Ubuntu: `sudo apt-get install -y chromium`) or set SUITE_CHROMIUM to a Chrome binary.",
        pytrace=False,
    )


def run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"chromium-profile-{len(list(tmp.glob('chromium-profile-*')))}"
    profile.mkdir()
    cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}"
    return proc


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chromium")
    run_dir, result = synthetic_run(root)
    write_reports(run_dir, result)
    return run_dir / "report.html"


def test_every_chart_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    proc = run_chromium(
        tmp_path,
        f"--window-size={WIDTH},{HEIGHT}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the probe did not run; DOM dump ends with: {proc.stdout[-500:]!r}"
    images = json.loads(html.unescape(found.group(1)))
    assert len(images) == len(CHARTS), images
    for img in images:
        assert img["complete"] and img["width"] > 0 and img["height"] > 0, f"not decoded: {img}"
        assert img["shown"] > 600, f"laid out too narrow: {img}"
        assert img["ink"] > 0.03, f"chart is (nearly) blank: {img}"
        assert img["colours"] >= 8, f"chart has too few colours to be a chart: {img}"


def test_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), "Chromium wrote no screenshot"
    image = Image.open(shot).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    counts = image.getcolors(maxcolors=WIDTH * HEIGHT) or []  # [(pixels, colour)]
    background = {(255, 255, 255), (246, 247, 249)}  # white and the page's grey
    ink = sum(n for n, c in counts if c not in background) / (WIDTH * HEIGHT)
    colours = len(counts)
    assert ink > 0.08, f"screenshot is mostly blank: {ink:.1%} of pixels are not background"
    assert colours > 200, f"screenshot has only {colours} distinct colours"
    # the charts' own colours are on screen: the jobs' blue and the configured-runner line's red
    full = {c for _, c in counts}
    assert (0x2F, 0x6F, 0xB0) in full and (0xD1, 0x37, 0x2F) in full
