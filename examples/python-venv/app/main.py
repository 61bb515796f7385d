"""A small Flask API served by gunicorn: GET / and GET /items/<n>."""

import platform
import sys

from flask import Flask, jsonify

app = Flask(__name__)

ITEMS = ["apple", "banana", "cherry"]


@app.get("/")
def index():
    return jsonify(
        message="hello from a virtualenv copied into a slim image",
        python=platform.python_version(),
        venv=sys.prefix,
    )


@app.get("/items/<int:n>")
def item(n: int):
    if 0 <= n < len(ITEMS):
        return jsonify(item=ITEMS[n])
    return jsonify(error="no such item"), 404


@app.get("/healthz")
def healthz():
    return "ok\n"
