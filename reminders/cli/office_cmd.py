"""`reminders office`: what the office dashboard needs set up by hand (password hashes)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from reminders.errors import UsageError
from reminders.web.passwords import check_new_password, hash_password

app = typer.Typer(help="Trang quản lý của văn phòng thường trực: người dùng, mật khẩu.",
                  no_args_is_help=True)


@app.command("hash-password")
def hash_password_cmd(
    from_stdin: Annotated[bool, typer.Option(
        "--stdin", help="Đọc mật khẩu (một dòng) từ đầu vào chuẩn thay vì hỏi.")] = False,
) -> None:
    """In mã băm của một mật khẩu để ghi vào password_hash của [[office.users]]."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, err=True)
        again = typer.prompt("Nhập lại mật khẩu", hide_input=True, err=True)
        if password != again:
            raise UsageError("Hai lần nhập mật khẩu không khớp.")
    check_new_password(password)
    typer.echo(hash_password(password))
