"""Store an imported plan for `reminders import`: migrate, sync units, save in one transaction."""

from __future__ import annotations

from reminders.clock import Clock
from reminders.config import Settings
from reminders.domain import PlanStatus
from reminders.ingest.model import ImportedPlan
from reminders.replan import planned_text, replan
from reminders.services import open_store, prepare_store, sync_units
from reminders.store.plan_changes import SaveResult
from reminders.store.plan_import import save_imported_plan
from reminders.store.plans import set_status
from reminders.units import Registry

_MAX_LISTED = 40


def store_plan(settings: Settings, plan: ImportedPlan, registry: Registry, clock: Clock,
               *, publish: bool = False) -> str:
    """Save `plan` as a draft (or update the stored one), published at once with `publish`;
    returns a Vietnamese account of what changed."""
    with open_store(settings) as engine:
        prepare_store(engine)
        # The plan names units by registry id; the store must know every one of them.
        sync_units(engine, registry, clock)
        with engine.begin() as conn:
            result = save_imported_plan(conn, plan, now=clock.now())
            published = publish and set_status(conn, result.plan_id, PlanStatus.PUBLISHED,
                                               now=clock.now()).changed
            # A re-import of a published plan moves its reminders at once (late changes
            # are pushed); a draft has none.
            planned = replan(conn, settings, now=clock.now(), plan_ids=[result.plan_id])
    reminders = planned_text(planned)
    if published and result.created:
        told = f"Đã lưu và công bố kế hoạch mới #{result.plan_id}; các đơn vị thấy trên lịch."
        return f"{told}\n{reminders}" if planned.applied.changed else told
    told = _told(result)
    if published:
        told += f"\nĐã công bố kế hoạch #{result.plan_id}; các đơn vị thấy trên lịch."
    if planned.applied.changed:
        told += f"\n{reminders}"
    return told


def _told(result: SaveResult) -> str:
    if result.created:
        return (f"Đã lưu thành kế hoạch mới #{result.plan_id} (bản nháp). "
                f"Rà soát rồi chạy `reminders plans publish {result.plan_id}`.")
    if not result.changes:
        return f"Kế hoạch #{result.plan_id} đã có, không có gì thay đổi."
    lines = [f"Đã cập nhật kế hoạch #{result.plan_id} (lần sửa {result.revision}), "
             f"{len(result.changes)} thay đổi:"]
    lines += [f"  • {c.describe()}" for c in result.changes[:_MAX_LISTED]]
    if len(result.changes) > _MAX_LISTED:
        lines.append(f"  … và {len(result.changes) - _MAX_LISTED} thay đổi khác")
    return "\n".join(lines)
