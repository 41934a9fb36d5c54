"""What the procedure-guide tests share: a small procedure file for TEST_CONFIG's services (HT at both
sites, CT at Cát Bà only) and a helper that loads it with ``luot procedures load``, in-process."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.commands import luot, succeeded

GUIDE = """\
procedures:
  - code: "1.001193"
    service: HT
    name: "Đăng ký khai sinh"
    name_en: "Birth registration"
    documents:
      - name: "Tờ khai đăng ký khai sinh"
        name_en: "Birth registration form"
      - "Giấy chứng sinh"
    fee: "Miễn lệ phí"
    fee_en: "Free"
    processing_time: "Trong ngày"
    processing_time_en: "The same day"
  - code: "2.000908"
    service: CT
    sites: [CB]
    name: "Chứng thực bản sao từ bản chính"
    documents: ["Bản chính giấy tờ"]
    fee: "2.000 đồng/trang"
"""

MARRIAGE = """\
  - code: "1.000894"
    service: HT
    name: "Đăng ký kết hôn"
    name_en: "Marriage registration"
    documents:
      - name: "Tờ khai đăng ký kết hôn"
        name_en: "Marriage registration form"
    note: "Hai bên nam, nữ cùng có mặt."
    note_en: "Both partners come in person."
"""


def load_guide(app: Flask, folder: Path, text: str = GUIDE) -> Path:
    """Write ``text`` as ``folder/procedures.yaml`` and load it into ``app``; returns the file."""
    path = folder / "procedures.yaml"
    path.write_text(text, encoding="utf-8")
    succeeded(luot(app, "procedures", "load", str(path)))
    return path
