"""Locust's user for `make bench`: requests one path (env BENCH_PATH) as fast as it can."""

import os

from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0)
    path = os.environ["BENCH_PATH"]

    @task
    def visit(self):
        self.client.get(self.path, name="bench")
