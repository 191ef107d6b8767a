"""A small Aurum service instrumented with the runtime shim, as the spec shows.

Scenario endpoints under ``/api`` (create, list, read through the cache, run), the shim's
``/v1/observability`` router, a data-refresh job, and ``/demo/faults``: the switches that break it on
purpose. Every request is measured by ``StructuredLoggingMiddleware`` (counter and latency histogram by
route template, status and tenant, a JSON access line, a server span); the business, cache, database,
pool, rate-limit and freshness metrics come from the code below, through the shim's helpers.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from aurum.observability.api import router as observability_router
from aurum.observability.enhanced_logging import StructuredLoggingMiddleware, get_logger, log_operation
from aurum.observability.metrics import increment_business_transactions
from aurum.observability.tracing_enhanced import trace_scenario_operation
from examples.demo_app.backend import Database, RateLimiter, Scenario, ScenarioCache
from examples.demo_app.faults import Faults, FaultSwitches, InjectedFaultError
from examples.demo_app.refresh import RefreshJob

__all__ = ["create_app"]

_log = get_logger("aurum.demo.scenarios")

Tenant = Annotated[str, Header(alias="X-Tenant-ID")]


class NewScenario(BaseModel):
    name: str


class Created(BaseModel):
    id: str


class RunStarted(BaseModel):
    scenario_id: str
    run_id: str


class Demo:
    """The application's state: one of each simulated dependency, sharing the fault switches."""

    def __init__(self, faults: Faults, refresh_interval: float) -> None:
        self.faults = faults
        self.database = Database()
        self.cache = ScenarioCache(faults)
        self.limiter = RateLimiter()
        self.refresh = RefreshJob(faults, interval=refresh_interval)


def _scenario_routes(demo: Demo) -> APIRouter:
    async def admit(tenant: Tenant) -> None:
        """Every API request: the tenant's rate limit, then the latency the switches add."""
        if not demo.limiter.admit(tenant):
            raise HTTPException(429, "rate limited")
        if demo.faults.switches.latency_seconds:
            await asyncio.sleep(demo.faults.switches.latency_seconds)

    api = APIRouter(prefix="/api/scenarios", dependencies=[Depends(admit)])

    @api.post("", status_code=201)
    async def create_scenario(body: NewScenario, tenant: Tenant) -> Created:
        scenario = Scenario(id=uuid.uuid4().hex[:12], name=body.name, tenant_id=tenant)
        try:
            async with (
                log_operation(_log, "create_scenario", component="scenario", scenario_id=scenario.id),
                trace_scenario_operation("create", scenario.id, tenant),
            ):
                demo.faults.maybe_fail("scenario creation")
                await demo.database.query("insert", "scenario", tenant)
                demo.database.scenarios[scenario.id] = scenario
                await demo.cache.set(scenario)
        except InjectedFaultError:
            await increment_business_transactions("scenario_create", "scenario", "failure")
            raise
        await increment_business_transactions("scenario_create", "scenario", "success")
        return Created(id=scenario.id)

    @api.get("")
    async def list_scenarios(tenant: Tenant) -> list[str]:
        demo.faults.maybe_fail("scenario listing")
        await demo.database.query("select", "scenario", tenant)
        return [s.id for s in demo.database.scenarios.values() if s.tenant_id == tenant][-20:]

    @api.get("/{scenario_id}")
    async def get_scenario(scenario_id: str, tenant: Tenant) -> Scenario:
        demo.faults.maybe_fail("scenario read")
        found = await demo.cache.get(scenario_id)
        if found is None:
            await demo.database.query("select", "scenario", tenant)
            found = demo.database.scenarios.get(scenario_id)
            if found is None:
                raise HTTPException(404, "no such scenario")
            await demo.cache.set(found)
        return found

    @api.post("/{scenario_id}/runs", status_code=202)
    async def run_scenario(scenario_id: str, tenant: Tenant) -> RunStarted:
        if scenario_id not in demo.database.scenarios:
            raise HTTPException(404, "no such scenario")
        run_id = uuid.uuid4().hex[:12]
        try:
            async with trace_scenario_operation("run", scenario_id, tenant, run_id=run_id):
                demo.faults.maybe_fail("scenario run")
                await demo.database.query("insert", "run", tenant)
        except InjectedFaultError:
            await increment_business_transactions("scenario_run", "scenario", "failure")
            raise
        await increment_business_transactions("scenario_run", "scenario", "success")
        return RunStarted(scenario_id=scenario_id, run_id=run_id)

    return api


def _fault_routes(demo: Demo) -> APIRouter:
    # Open on purpose, like the rest of the demo: it listens on loopback only.
    switches = APIRouter(prefix="/demo/faults", tags=["demo"])

    @switches.get("")
    async def get_faults() -> FaultSwitches:
        return demo.faults.switches

    @switches.put("")
    async def put_faults(new: FaultSwitches) -> FaultSwitches:
        demo.faults.switches = new
        await demo.refresh.refresh_once()  # a stuck (or unstuck) job shows at once, not at its next tick
        return new

    return switches


def create_app(faults: Faults | None = None, refresh_interval: float = 5.0) -> FastAPI:
    demo = Demo(faults or Faults(), refresh_interval)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        job = asyncio.create_task(demo.refresh.run())
        try:
            yield
        finally:
            job.cancel()

    app = FastAPI(title="Aurum demo", lifespan=lifespan)
    app.include_router(observability_router)
    app.include_router(_scenario_routes(demo))
    app.include_router(_fault_routes(demo))
    app.add_middleware(StructuredLoggingMiddleware)

    @app.exception_handler(InjectedFaultError)
    async def unavailable(_request: Request, exc: InjectedFaultError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    return app
