#!/usr/bin/env python3
"""Generate the demo registry fixtures in regtui/data/demo, deterministically (needs regtui importable).

    python scripts/make_demo_fixtures.py            rewrite the generated part of regtui/data/demo
    python scripts/make_demo_fixtures.py --check    validate regtui/data/demo (also needs the `semver` package)

Besides the version manifests, artifacts and registry.yaml, the generator writes the governance history
(log.yaml, requests.yaml and each manifest's provenance) by playing the story of scripts/demo_history.py
through regtui's own write path. Two files are written by hand and only read: policy.yaml (the policy
revisions of the story end in it) and providers.yaml (replayed into the log). Nothing else in the folder
is touched besides the generated files.

TAMPERED ARTIFACT (on purpose): fraud-detector@2.4.0, artifact "model"
(regtui/data/demo/artifacts/fraud-detector/2.4.0/model.pt). 2.4.0 was Production until 2.5.0 replaced
it, so it is Archived and the first rollback target of fraud-detector. The file was changed after
registration (same size, 16 bytes overwritten; in the story on 2026-11-16), so its recorded sha256 no
longer matches: verify, rollback and drill to 2.4.0 must report the mismatch (the last fraud-detector
drill in the log failed on it). Every other artifact matches its manifest.

Output is byte-identical on every run: all pseudo-randomness is seeded from SHA-256 of fixed strings.
"""

from __future__ import annotations

import argparse
import calendar
import filecmp
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_history  # noqa: E402 - the story module sits next to this script

from regtui.domain.manifest import dump_yaml  # noqa: E402
from regtui.domain.policy import Policy, load_policy_text  # noqa: E402
from regtui.domain.provider_manifest import parse_providers_manifest  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "regtui" / "data" / "demo"
TAMPERED = ("fraud-detector", "2.4.0", "model")
NOW = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
EARLIEST = datetime(2024, 1, 1, tzinfo=UTC)
GENERATED = ("models", "artifacts", "README.md", "registry.yaml", "log.yaml", "requests.yaml")
INPUTS = ("policy.yaml", "providers.yaml")
MAX_TOTAL_BYTES = 3 * 1024 * 1024  # the promotion log is most of it
ARTIFACT_SIZE_RANGE = (200, 4096)

DEV, STG, CAN, PROD, ARC = "Development", "Staging", "Canary", "Production", "Archived"
STAGES = (DEV, STG, CAN, PROD, ARC)
MAJOR_KINDS = ("architecture", "model-type", "approach")
MINOR_KINDS = ("retraining", "hyperparameters", "prompt")
PATCH_KINDS = ("configuration", "threshold", "dependency")
FRESH_DATA_KINDS = ("initial", "retraining", "prompt") + MAJOR_KINDS
MANIFEST_KEYS = (
    "kind",
    "model",
    "version",
    "change_kind",
    "parent",
    "framework",
    "owner",
    "created_at",
    "training_data",
    "description",
    "hyperparameters",
    "metrics",
    "model_card",
    "artifacts",
    "provider",
    "stage",
    "canary_share",
    "registered_by",
    "registered_at",
    "stage_changed_by",
    "stage_changed_at",
)
REQUIRED_KEYS = ("model", "version", "change_kind", "framework", "owner", "created_at", "training_data")
CARD_SECTIONS = ("intended_use", "limitations", "evaluation", "fairness", "training_data", "responsible")
LLM_FRAMEWORKS = ("openai", "anthropic")
RUNTIMES = {
    "scikit-learn": "scikit-learn==1.4.2",
    "xgboost": "xgboost==2.0.3",
    "pytorch": "torch==2.2.2",
    "lightgbm": "lightgbm==4.3.0",
    "prophet": "prophet==1.1.5",
    "openai": "openai==1.30.1",
    "anthropic": "anthropic==0.40.0",
}
WEIGHT_FILES = {
    "scikit-learn": "model.joblib",
    "xgboost": "model.ubj",
    "pytorch": "model.pt",
    "lightgbm": "model.txt",
    "prophet": "model.json",
}
CONFIG_FILES = {"pytorch": "inference-config.json", "prophet": "forecast-config.json"}


@dataclass(frozen=True)
class Metric:
    """One evaluation metric: base value, change per quality step, noise amplitude and rounding."""

    name: str
    base: float
    step: float
    noise: float
    digits: int
    ratio: bool = True


@dataclass(frozen=True)
class V:
    """One version in a model's lineage, as written by hand below."""

    version: str
    parent: str | None
    kind: str
    day: str
    stage: str
    note: str
    q: float
    hp: dict[str, Any] = field(default_factory=dict)
    share: int | None = None
    prod: bool = False
    attested: bool = True
    pin: str | None = None
    runtime: str | None = None
    adj: dict[str, float] = field(default_factory=dict)
    seg_adj: dict[str, dict[str, float]] = field(default_factory=dict)
    caveat: str = ""


@dataclass(frozen=True)
class Model:
    """A registered model: ownership, metrics, card texts and its hand-written lineage."""

    name: str
    owner: str
    contact: str
    description: str
    frameworks: dict[int, str]
    data_ref: str
    data_source: str
    rows: tuple[int, int, str]
    window_months: int
    metrics: tuple[Metric, ...]
    segments: dict[str, dict[str, float]]
    lines: dict[int, dict[str, float]]
    intended_use: dict[int, str]
    limitations: dict[int, str]
    fairness: str
    attesters: tuple[str, ...]
    features: tuple[str, ...]
    versions: tuple[V, ...]
    pin_shift: dict[str, dict[str, float]] = field(default_factory=dict)
    prompt_rules: tuple[str, ...] = ()


@dataclass
class Built:
    """A version with every derived field resolved, ready to be written."""

    model: Model
    spec: V
    framework: str
    created_at: datetime
    training_data: str
    hyperparameters: dict[str, Any]
    metrics: dict[str, Any]
    pin: str | None
    runtime: str
    artifacts: list[dict[str, Any]] = field(default_factory=list)


USERS: tuple[dict[str, Any], ...] = (
    {"identity": "alice", "name": "Alice Ng", "roles": ["contributor", "reviewer"], "teams": ["team-risk"]},
    {"identity": "bob", "name": "Bob Okafor", "roles": ["contributor"], "teams": ["team-risk"]},
    {"identity": "carol", "name": "Carol Martínez", "roles": ["reviewer"], "teams": ["team-ml-platform"]},
    {"identity": "dave", "name": "Dave Kowalski", "roles": ["contributor", "reviewer"], "teams": ["team-search"]},
    {"identity": "erin", "name": "Erin Walsh", "roles": ["contributor", "reviewer"], "teams": ["team-forecasting"]},
    {"identity": "frank", "name": "Frank Osei", "roles": ["reviewer", "releaser"], "teams": ["team-ml-platform"]},
    {
        "identity": "grace",
        "name": "Grace Lindqvist",
        "roles": ["contributor", "reviewer"],
        "teams": ["team-assist", "team-search"],
    },
    {"identity": "heidi", "name": "Heidi Tanaka", "roles": ["releaser", "admin"], "teams": ["team-ml-platform"]},
    {"identity": "ivan", "name": "Ivan Petrov", "roles": ["viewer"], "teams": ["team-risk"]},
    {"identity": "judy", "name": "Judy Park", "roles": ["contributor"], "teams": ["team-ml-platform"]},
    {"identity": "nora", "name": "Nora Fischer", "roles": ["viewer"], "teams": ["team-assist"]},
)

CHURN = Model(
    name="churn-classifier",
    owner="team-risk",
    contact="risk-ml-oncall@example.com",
    description="Predicts the probability that a retail subscriber cancels within 30 days; "
    "feeds the retention team's weekly save-offer list",
    frameworks={1: "scikit-learn", 2: "xgboost"},
    data_ref="customers-monthly",
    data_source="Monthly customer snapshot from the CRM warehouse (billing, usage, support contacts), "
    "labelled with cancellations in the following 30 days",
    rows=(1_150_000, 21_000, "customer-months"),
    window_months=24,
    metrics=(
        Metric("auc", 0.842, 0.0062, 0.0015, 4),
        Metric("pr_auc", 0.412, 0.0115, 0.003, 4),
        Metric("recall_at_10pct", 0.521, 0.0118, 0.003, 4),
        Metric("latency_p95_ms", 17.5, 0.0, 0.8, 1, ratio=False),
    ),
    segments={
        "tenure=new": {"auc": -0.031, "pr_auc": -0.052, "recall_at_10pct": -0.061},
        "tenure=established": {"auc": 0.011, "pr_auc": 0.018, "recall_at_10pct": 0.022},
        "region=EU": {"auc": -0.005, "pr_auc": -0.009, "latency_p95_ms": 1.2},
        "region=US": {"auc": 0.004, "pr_auc": 0.007, "latency_p95_ms": -0.6},
    },
    lines={2: {"auc": 0.012, "pr_auc": 0.031, "recall_at_10pct": 0.02, "latency_p95_ms": 6.0}},
    intended_use={
        1: "Ranks active retail subscribers by their probability of cancelling within 30 days. The retention "
        "team (CRM campaign owners) uses the weekly ranking to pick the ~10% of accounts that get a save "
        "offer or a call. Not for pricing, credit, collections or any decision that withdraws a service.",
        2: "Ranks active retail subscribers by their probability of cancelling within 30 days with a gradient-"
        "boosted model whose monotone constraints guarantee that longer tenure and higher spend never raise "
        "the score. The retention team uses the weekly ranking to pick the ~10% of accounts that get a save "
        "offer or a call. Not for pricing, credit, collections or any decision that withdraws a service.",
    },
    limitations={
        1: "Trained on accounts with at least two months of history: scores for accounts younger than 60 days "
        "are poorly calibrated (the tenure=new segment runs ~0.03 AUC lower). Sees no competitor pricing or "
        "macro events, so a price change shifts the base rate and needs a recalibration. Business accounts "
        "are out of scope.",
        2: "Scores for accounts younger than 60 days remain weaker (tenure=new runs ~0.03 AUC lower). "
        "Monotone constraints cap what interaction features can add. Sees no competitor pricing; a price "
        "change shifts the base rate and needs a threshold review. Business accounts are out of scope.",
    },
    fairness="No protected attributes are model inputs and postcode is coarsened to region. False-positive-"
    "rate parity checked across age bands (18-29 / 30-49 / 50+) and regions: largest gap {gap:.3f} (policy "
    "limit 0.050). A save offer is a benefit, not a denial of service, which keeps the harm profile low.",
    attesters=("carol", "frank"),
    features=(
        "tenure_months",
        "monthly_spend",
        "plan_tier",
        "support_contacts_90d",
        "payment_failures_90d",
        "logins_30d",
        "discount_active",
        "region",
    ),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-01-16",
            ARC,
            "First churn model: histogram gradient boosting on 42 account, billing and usage features",
            0.0,
            prod=True,
            hp={
                "estimator": "HistGradientBoostingClassifier",
                "learning_rate": 0.1,
                "max_iter": 300,
                "max_leaf_nodes": 31,
                "l2_regularization": 0.0,
                "early_stopping": False,
                "class_weight": "balanced",
                "decision_threshold": 0.35,
            },
        ),
        V(
            "1.1.0",
            "1.0.0",
            "retraining",
            "2024-03-12",
            ARC,
            "Quarterly retrain on the February 2024 snapshot",
            1.0,
            prod=True,
        ),
        V(
            "1.1.1",
            "1.1.0",
            "threshold",
            "2024-04-02",
            ARC,
            "Alert threshold 0.35 -> 0.32 so the retention team gets ~10% of the base instead of 7%",
            1.0,
            prod=True,
            hp={"decision_threshold": 0.32},
        ),
        V(
            "1.2.0",
            "1.1.1",
            "retraining",
            "2024-06-11",
            ARC,
            "Retrain adding payment-failure features; superseded by 1.3.0 before it left Staging",
            1.7,
        ),
        V(
            "1.3.0",
            "1.2.0",
            "hyperparameters",
            "2024-07-23",
            ARC,
            "max_leaf_nodes 31 -> 63, l2 0.0 -> 0.5, early stopping on",
            2.4,
            hp={
                "learning_rate": 0.05,
                "max_iter": 600,
                "max_leaf_nodes": 63,
                "l2_regularization": 0.5,
                "early_stopping": True,
            },
        ),
        V(
            "1.3.1",
            "1.3.0",
            "dependency",
            "2024-09-03",
            ARC,
            "scikit-learn 1.4.2 -> 1.5.1 (joblib loading fix); scores identical to 1e-9 on the validation set",
            2.4,
            prod=True,
            runtime="scikit-learn==1.5.1",
        ),
        V(
            "2.0.0",
            "1.3.1",
            "model-type",
            "2024-11-19",
            ARC,
            "Switch to XGBoost with monotone constraints on tenure and spend",
            3.5,
            prod=True,
            hp={
                "booster": "gbtree",
                "n_estimators": 800,
                "max_depth": 6,
                "learning_rate": 0.05,
                "subsample": 0.8,
                "colsample_bytree": 0.7,
                "min_child_weight": 5,
                "scale_pos_weight": 6.5,
                "monotone_constraints": "tenure_months:-1,monthly_spend:-1",
                "eval_metric": "aucpr",
                "decision_threshold": 0.32,
            },
        ),
        V(
            "2.1.0",
            "2.0.0",
            "retraining",
            "2025-02-11",
            ARC,
            "Quarterly retrain on the January 2025 snapshot",
            4.0,
            prod=True,
        ),
        V(
            "2.2.0",
            "2.1.0",
            "retraining",
            "2025-05-13",
            ARC,
            "Retrain on April 2025 data; tenure=new regressed after the CRM migration, not promoted",
            3.6,
            seg_adj={"tenure=new": {"auc": -0.024, "pr_auc": -0.04, "recall_at_10pct": -0.05}},
            caveat="Known issue: the April 2025 CRM migration duplicated ~1.8% of accounts, which depresses "
            "tenure=new quality; fixed in the data for 2.3.0.",
        ),
        V(
            "2.3.0",
            "2.1.0",
            "retraining",
            "2025-06-24",
            ARC,
            "Retrain on the May 2025 snapshot with the CRM migration fix (duplicate accounts removed)",
            4.5,
            prod=True,
        ),
        V(
            "2.4.0",
            "2.3.0",
            "hyperparameters",
            "2025-10-07",
            ARC,
            "max_depth 6 -> 7, 1200 trees at learning rate 0.03",
            5.0,
            prod=True,
            hp={"max_depth": 7, "n_estimators": 1200, "learning_rate": 0.03},
        ),
        V(
            "2.4.1",
            "2.4.0",
            "threshold",
            "2025-12-02",
            ARC,
            "Threshold 0.32 -> 0.30 for the holiday retention campaign budget",
            5.0,
            prod=True,
            hp={"decision_threshold": 0.3},
        ),
        V(
            "2.5.0",
            "2.4.1",
            "retraining",
            "2026-03-10",
            ARC,
            "Quarterly retrain on the February 2026 snapshot",
            5.6,
            prod=True,
        ),
        V("2.6.0", "2.5.0", "retraining", "2026-06-16", PROD, "Quarterly retrain on the May 2026 snapshot", 6.0),
        V(
            "2.7.0",
            "2.6.0",
            "retraining",
            "2026-10-06",
            CAN,
            "Retrain on the September 2026 snapshot, includes the new loyalty-tier feature",
            6.5,
            share=10,
        ),
        V(
            "2.7.1",
            "2.7.0",
            "threshold",
            "2026-11-10",
            DEV,
            "Candidate threshold 0.30 -> 0.28 pending retention-budget sign-off",
            6.5,
            hp={"decision_threshold": 0.28},
        ),
    ),
)

FRAUD = Model(
    name="fraud-detector",
    owner="team-risk",
    contact="risk-ml-oncall@example.com",
    description="Real-time card-transaction fraud score on the authorisation path (p95 budget 40 ms); "
    "scores above threshold go to 3-D Secure step-up or manual review",
    frameworks={1: "xgboost", 2: "pytorch", 3: "pytorch"},
    data_ref="transactions-labelled",
    data_source="Card authorisations from the payments ledger joined with chargebacks and fraud-ops "
    "case outcomes (labels mature after 90 days)",
    rows=(212_000_000, 6_500_000, "transactions"),
    window_months=18,
    metrics=(
        Metric("auc", 0.9352, 0.0036, 0.0008, 4),
        Metric("precision_at_1pct", 0.312, 0.0195, 0.004, 4),
        Metric("recall", 0.583, 0.0152, 0.004, 4),
        Metric("latency_p95_ms", 9.2, 0.0, 0.6, 1, ratio=False),
    ),
    segments={
        "region=EU": {"auc": 0.002, "precision_at_1pct": 0.011, "recall": 0.008},
        "region=US": {"auc": 0.001, "precision_at_1pct": 0.004, "recall": 0.006, "latency_p95_ms": -0.4},
        "region=APAC": {"auc": -0.011, "precision_at_1pct": -0.046, "recall": -0.038, "latency_p95_ms": 1.9},
        "channel=card-not-present": {"auc": -0.006, "precision_at_1pct": 0.021, "recall": -0.017},
    },
    lines={2: {"auc": 0.004, "latency_p95_ms": 14.5}, 3: {"auc": 0.006, "latency_p95_ms": 27.0}},
    intended_use={
        1: "Scores every card authorisation in real time for the risk engine. Scores above the decision "
        "threshold trigger 3-D Secure step-up or a manual review by fraud operations; the model never "
        "declines a transaction on its own. Users: risk engine, fraud-ops analysts, chargeback analytics.",
        2: "Scores every card authorisation in real time for the risk engine with a tabular transformer over "
        "the cardholder's last 64 transactions. Scores above the decision threshold trigger 3-D Secure "
        "step-up or a manual review by fraud operations; the model never declines a transaction on its own.",
        3: "Research candidate: a graph neural network over the card-merchant-device graph, shadow-scored "
        "on 5% of traffic. No decisions are taken on its scores until it passes Staging.",
    },
    limitations={
        1: "Labels arrive with chargebacks up to 90 days late, so the latest three months are under-"
        "labelled. Novel attacks (BIN enumeration, card testing) are only learned after a retrain; the rules "
        "engine covers them meanwhile. APAC is ~8% of training volume and its precision is lower.",
        2: "Needs the 64-transaction history from the feature store: cards with fewer than 5 prior "
        "transactions fall back to a static prior and recall drops sharply. CPU serving keeps p95 near "
        "25 ms; bigger variants (see 2.3.0) breach the 40 ms budget. Labels mature after 90 days.",
        3: "Graph features are refreshed hourly, so brand-new devices and merchants look isolated for up "
        "to an hour. p95 latency is close to the 40 ms budget. Not evaluated on APAC issuers yet.",
    },
    fairness="Decline and step-up rates reviewed across cardholder age band and issuing-country group: "
    "largest false-positive-rate gap {gap:.3f} (policy limit 0.040). Nationality and name-derived "
    "features are excluded by design; merchant category is used and was reviewed with compliance.",
    attesters=("carol", "frank"),
    features=(
        "amount",
        "mcc",
        "country_mismatch",
        "card_age_days",
        "velocity_1h",
        "velocity_24h",
        "device_risk",
        "bin_risk",
        "channel",
    ),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-02-06",
            ARC,
            "First fraud model: XGBoost on 120 velocity, merchant and device features",
            0.0,
            prod=True,
            hp={
                "n_estimators": 600,
                "max_depth": 8,
                "learning_rate": 0.08,
                "subsample": 0.9,
                "colsample_bytree": 0.6,
                "scale_pos_weight": 180,
                "tree_method": "hist",
                "max_bin": 256,
                "decision_threshold": 0.71,
            },
        ),
        V("1.1.0", "1.0.0", "retraining", "2024-04-09", ARC, "Retrain on March 2024 labels", 1.0, prod=True),
        V(
            "1.2.0",
            "1.1.0",
            "hyperparameters",
            "2024-06-04",
            ARC,
            "Deeper trees (max_depth 10), 1000 trees at learning rate 0.05",
            1.5,
            hp={"max_depth": 10, "n_estimators": 1000, "learning_rate": 0.05},
        ),
        V(
            "1.2.1",
            "1.2.0",
            "threshold",
            "2024-07-02",
            ARC,
            "Threshold 0.71 -> 0.69 to keep the review queue at 1% of volume",
            1.5,
            prod=True,
            hp={"decision_threshold": 0.69},
        ),
        V("1.3.0", "1.2.1", "retraining", "2024-10-08", ARC, "Retrain on September 2024 labels", 2.3, prod=True),
        V(
            "1.4.0",
            "1.3.0",
            "retraining",
            "2025-01-14",
            ARC,
            "Retrain on December 2024 labels incl. holiday-season fraud",
            2.8,
            prod=True,
        ),
        V(
            "2.0.0-rc.1",
            "1.4.0",
            "architecture",
            "2025-03-04",
            ARC,
            "Release candidate: tabular transformer over 64-transaction card sequences",
            3.3,
            hp={
                "architecture": "tab-transformer",
                "d_model": 128,
                "n_layers": 4,
                "n_heads": 8,
                "dropout": 0.1,
                "sequence_length": 64,
                "optimizer": "adamw",
                "learning_rate": 0.0003,
                "weight_decay": 0.01,
                "batch_size": 2048,
                "epochs": 12,
                "focal_loss_gamma": 2.0,
                "decision_threshold": 0.66,
            },
        ),
        V(
            "1.4.1",
            "1.4.0",
            "threshold",
            "2025-03-25",
            ARC,
            "Hotfix while 2.0 is in Staging: threshold 0.69 -> 0.68 after the BIN-attack wave in [US] region",
            2.8,
            prod=True,
            hp={"decision_threshold": 0.68},
        ),
        V(
            "2.0.0",
            "2.0.0-rc.1",
            "architecture",
            "2025-04-22",
            ARC,
            "Tabular transformer release (rc.1 plus calibration layer)",
            3.6,
            prod=True,
        ),
        V("2.1.0", "2.0.0", "retraining", "2025-07-08", ARC, "Retrain on June 2025 labels", 4.2, prod=True),
        V(
            "2.1.1",
            "2.1.0",
            "threshold",
            "2025-08-19",
            ARC,
            "Threshold tuned for [EU] segment (PSD2 SCA exemptions): 0.66 -> 0.63",
            4.2,
            prod=True,
            hp={"decision_threshold": 0.63},
        ),
        V("2.2.0", "2.1.1", "retraining", "2025-11-04", ARC, "Retrain on October 2025 labels", 4.8, prod=True),
        V(
            "2.3.0",
            "2.2.0",
            "hyperparameters",
            "2026-02-10",
            ARC,
            "d_model 128 -> 192, 4 -> 6 layers; failed canary on latency, returned and archived",
            4.4,
            hp={"d_model": 192, "n_layers": 6},
            adj={"latency_p95_ms": 19.0},
            caveat="Failed its canary: p95 latency above the 40 ms authorisation budget at peak.",
        ),
        V("2.4.0", "2.2.0", "retraining", "2026-04-21", ARC, "Retrain on March 2026 labels", 5.4, prod=True),
        V(
            "2.5.0",
            "2.4.0",
            "retraining",
            "2026-08-11",
            PROD,
            "Retrain on July 2026 labels incl. the card-testing campaign of June",
            5.9,
        ),
        V("2.6.0", "2.5.0", "retraining", "2026-10-20", CAN, "Retrain on September 2026 labels", 6.3, share=5),
        V(
            "3.0.0-rc.1",
            "2.6.0",
            "architecture",
            "2026-11-17",
            DEV,
            "Graph neural network over the card-merchant-device graph, shadow scoring only",
            6.8,
            attested=False,
            hp={
                "architecture": "hetero-graphsage",
                "hidden_dim": 256,
                "n_layers": 3,
                "fanout": "25,10,5",
                "optimizer": "adamw",
                "learning_rate": 0.0005,
                "batch_size": 4096,
                "epochs": 8,
                "decision_threshold": 0.65,
            },
        ),
    ),
)

SEARCH = Model(
    name="search-ranker",
    owner="team-search",
    contact="search-relevance-oncall@example.com",
    description="Re-ranks site-search candidates (web and app); runbook: "
    "[search-ranker runbook](https://wiki.example.com/search/ranker), page #search-relevance on incidents",
    frameworks={1: "lightgbm", 2: "pytorch"},
    data_ref="search-judgments",
    data_source="Search sessions (clicks, add-to-cart, purchases) joined with 40k human relevance "
    "judgments per quarter",
    rows=(38_000_000, 900_000, "query-product pairs"),
    window_months=12,
    metrics=(
        Metric("ndcg_at_10", 0.412, 0.0082, 0.002, 4),
        Metric("mrr", 0.366, 0.0079, 0.002, 4),
        Metric("latency_p95_ms", 21.8, 0.0, 1.1, 1, ratio=False),
    ),
    segments={
        "device=mobile": {"ndcg_at_10": -0.011, "mrr": -0.009, "latency_p95_ms": 2.5},
        "device=desktop": {"ndcg_at_10": 0.012, "mrr": 0.01, "latency_p95_ms": -1.5},
        "query=head": {"ndcg_at_10": 0.061, "mrr": 0.072},
        "query=tail": {"ndcg_at_10": -0.091, "mrr": -0.083, "latency_p95_ms": 1.0},
    },
    lines={2: {"ndcg_at_10": 0.021, "mrr": 0.018, "latency_p95_ms": 16.0}},
    intended_use={
        1: "Re-ranks the top 200 candidates from BM25 + ANN retrieval for every site-search query on web and "
        "app, optimised for purchase-weighted NDCG@10. Users: the search service; merchandising sees the "
        "effect through the search-quality dashboard. Not used for ads ranking.",
        2: "Re-ranks the top candidates from BM25 + ANN retrieval for every site-search query with a "
        "distilled cross-encoder (MiniLM, 6 layers) over query and product text, optimised for purchase-"
        "weighted NDCG@10. Users: the search service and merchandising. Not used for ads ranking.",
    },
    limitations={
        1: "Relies on click and purchase logs, so new products are under-ranked for their first 2-3 weeks "
        "(cold start). Tail queries (<10 searches/month) have sparse judgments and run ~0.09 NDCG lower. "
        "Does not fix misspellings; that is the query-rewrite service's job.",
        2: 'Text-only: it does not see images, so visually driven queries ("red floral dress") depend on '
        "filled-in attributes. Sensitive to keyword-stuffed titles; trust & safety filters the worst cases "
        "upstream. Latency grows linearly with the candidate pool size.",
    },
    fairness="Exposure parity for marketplace sellers: small sellers' share of top-10 impressions is within "
    "{gap:.3f} of the relevance-only baseline (policy limit 0.050). No user demographic features; "
    "personalisation uses session context only.",
    attesters=("carol", "frank"),
    features=("bm25", "ann_score", "ctr_30d", "price_rel", "in_stock", "brand_match", "query_length"),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-03-05",
            ARC,
            "LambdaMART ranker on 64 query-product features",
            0.0,
            prod=True,
            hp={
                "objective": "lambdarank",
                "metric": "ndcg@10",
                "num_leaves": 63,
                "learning_rate": 0.05,
                "n_estimators": 1500,
                "min_data_in_leaf": 100,
                "feature_fraction": 0.8,
                "bagging_fraction": 0.8,
                "lambdarank_truncation_level": 20,
                "feature_cache_ttl_s": 600,
            },
        ),
        V("1.1.0", "1.0.0", "retraining", "2024-05-14", ARC, "Retrain with Q1 2024 judgments", 1.0, prod=True),
        V(
            "1.2.0",
            "1.1.0",
            "hyperparameters",
            "2024-07-09",
            ARC,
            "num_leaves 63 -> 127, min_data_in_leaf 100 -> 50",
            1.6,
            prod=True,
            hp={"num_leaves": 127, "min_data_in_leaf": 50},
        ),
        V(
            "1.2.1",
            "1.2.0",
            "configuration",
            "2024-08-06",
            ARC,
            "Feature cache TTL 10 min -> 2 min; fixes stale price features during flash sales",
            1.7,
            prod=True,
            hp={"feature_cache_ttl_s": 120},
        ),
        V("1.3.0", "1.2.1", "retraining", "2024-11-12", ARC, "Retrain with Q3 2024 judgments", 2.4, prod=True),
        V(
            "1.4.0",
            "1.3.0",
            "retraining",
            "2025-02-18",
            ARC,
            "Retrain with Q4 2024 judgments incl. holiday traffic",
            2.9,
            prod=True,
        ),
        V(
            "2.0.0",
            "1.4.0",
            "approach",
            "2025-05-20",
            ARC,
            "Neural reranker: distilled cross-encoder on top of BM25 + ANN candidates",
            3.4,
            prod=True,
            hp={
                "architecture": "cross-encoder-minilm-l6",
                "max_seq_len": 128,
                "candidate_pool": 200,
                "learning_rate": 2.0e-05,
                "batch_size": 256,
                "epochs": 3,
                "loss": "listwise-softmax",
                "teacher": "cross-encoder-l12",
            },
        ),
        V(
            "2.1.0",
            "2.0.0",
            "retraining",
            "2025-08-26",
            ARC,
            "Retrain with Q2 2025 judgments; warmed ONNX session caches fix the 2.0.0 EU latency regression (INC-2291)",
            4.0,
            prod=True,
        ),
        V(
            "2.1.1",
            "2.1.0",
            "dependency",
            "2025-09-16",
            ARC,
            "torch 2.2.2 -> 2.4.1 and onnxruntime 1.19; scores unchanged beyond 1e-6",
            4.0,
            prod=True,
            runtime="torch==2.4.1",
        ),
        V(
            "2.2.0",
            "2.1.1",
            "hyperparameters",
            "2025-12-09",
            ARC,
            "learning rate 2e-5 -> 3e-5, 4 epochs; tail queries regressed, not promoted",
            4.3,
            hp={"learning_rate": 3.0e-05, "epochs": 4},
            seg_adj={"query=tail": {"ndcg_at_10": -0.027, "mrr": -0.022}},
            caveat="Tail-query NDCG@10 regressed by ~0.02 versus 2.1.1; kept for audit only.",
        ),
        V("2.3.0", "2.1.1", "retraining", "2026-03-17", ARC, "Retrain with Q4 2025 judgments", 4.9, prod=True),
        V("2.4.0", "2.3.0", "retraining", "2026-07-14", PROD, "Retrain with Q2 2026 judgments", 5.5),
        V(
            "2.4.1",
            "2.4.0",
            "configuration",
            "2026-09-29",
            STG,
            "Candidate pool 200 -> 300 for tail queries",
            5.7,
            hp={"candidate_pool": 300},
            adj={"latency_p95_ms": 4.5},
        ),
        V("2.5.0", "2.4.1", "retraining", "2026-11-12", DEV, "Retrain with Q3 2026 judgments", 6.1, attested=False),
    ),
)

DEMAND = Model(
    name="demand-forecaster",
    owner="team-forecasting",
    contact="forecasting-oncall@example.com",
    description="28-day daily demand forecast per SKU x store for replenishment; read by the ordering "
    "service at 02:00 UTC",
    frameworks={1: "prophet", 2: "lightgbm"},
    data_ref="sales-daily",
    data_source="Daily point-of-sale units per SKU x store with price, promo calendar, holidays and "
    "stock-out flags from the retail data warehouse",
    rows=(410_000_000, 9_000_000, "SKU-store-days"),
    window_months=36,
    metrics=(
        Metric("mape", 0.1824, -0.0068, 0.0015, 4),
        Metric("wape", 0.1412, -0.0049, 0.0012, 4),
        Metric("rmse", 38.6, -1.15, 0.4, 2, ratio=False),
        Metric("coverage_p90", 0.861, 0.0041, 0.002, 4),
    ),
    segments={
        "region=EU": {"mape": -0.006, "wape": -0.004, "rmse": -1.8},
        "region=US": {"mape": -0.011, "wape": -0.008, "rmse": 2.4, "coverage_p90": 0.006},
        "region=APAC": {"mape": 0.031, "wape": 0.024, "rmse": 4.1, "coverage_p90": -0.021},
    },
    lines={2: {"mape": -0.012, "wape": -0.009, "rmse": -2.5, "coverage_p90": 0.008}},
    intended_use={
        1: "Forecasts daily unit demand 28 days ahead for each SKU x store pair; the replenishment service "
        "turns the P50 and P90 into purchase orders every night at 02:00 UTC. Users: supply-chain planners "
        "and the ordering service. Not for financial guidance or investor reporting.",
        2: "Forecasts daily unit demand 28 days ahead for each SKU x store pair with one global LightGBM "
        "model across all series; the replenishment service turns the P50 and P90 into purchase orders "
        "nightly at 02:00 UTC. Users: supply-chain planners and the ordering service.",
    },
    limitations={
        1: "One Prophet model per store: new stores need 8 weeks of history before forecasts are usable. "
        "Promotions are only captured through the holiday calendar, so unplanned promos are under-forecast "
        "by 20-40%. P90 intervals are too narrow around the Christmas peak.",
        2: "Promotions must be in the promo calendar by T-3 days; late promos are under-forecast. Stock-outs "
        "censor demand, which biases fast-moving SKUs low. APAC has 18 months less history than EU/US and "
        "its MAPE runs ~3 points higher.",
    },
    fairness="Forecasts drive stock levels, not decisions about people. Checked that error is not "
    "systematically worse for small-format and rural stores: MAPE gap versus urban stores {gap:.3f} "
    "(policy limit 0.060).",
    attesters=("frank", "carol"),
    features=(
        "lag_7",
        "lag_14",
        "lag_28",
        "lag_364",
        "rolling_mean_7",
        "rolling_mean_28",
        "promo_flag",
        "price_index",
        "holiday",
        "store_format",
    ),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-01-23",
            ARC,
            "Prophet per store with national holidays",
            0.0,
            prod=True,
            hp={
                "growth": "linear",
                "seasonality_mode": "multiplicative",
                "changepoint_prior_scale": 0.05,
                "seasonality_prior_scale": 10.0,
                "holidays_prior_scale": 10.0,
                "yearly_seasonality": True,
                "weekly_seasonality": True,
                "interval_width": 0.9,
                "horizon_days": 28,
                "holiday_calendar": "retail-v1",
            },
        ),
        V("1.1.0", "1.0.0", "retraining", "2024-04-16", ARC, "Refit on data to March 2024", 1.0, prod=True),
        V(
            "1.1.1",
            "1.1.0",
            "configuration",
            "2024-05-07",
            ARC,
            "Add Golden Week and Singles' Day to the APAC holiday calendar",
            1.1,
            prod=True,
            hp={"holiday_calendar": "retail-v2-apac"},
            seg_adj={"region=APAC": {"mape": -0.006}},
        ),
        V(
            "1.2.0",
            "1.1.1",
            "hyperparameters",
            "2024-07-16",
            ARC,
            "changepoint_prior_scale 0.05 -> 0.1, seasonality_prior_scale 10 -> 5",
            1.7,
            prod=True,
            hp={"changepoint_prior_scale": 0.1, "seasonality_prior_scale": 5.0},
        ),
        V("1.3.0", "1.2.0", "retraining", "2024-10-15", ARC, "Refit on data to September 2024", 2.3, prod=True),
        V(
            "2.0.0",
            "1.3.0",
            "approach",
            "2025-01-21",
            ARC,
            "Global LightGBM over all SKU-store series with "
            "lag and rolling features; replaces one Prophet model per store",
            3.2,
            prod=True,
            hp={
                "objective": "tweedie",
                "tweedie_variance_power": 1.2,
                "num_leaves": 255,
                "learning_rate": 0.03,
                "n_estimators": 3000,
                "min_data_in_leaf": 200,
                "feature_fraction": 0.7,
                "lags": "7,14,28,364",
                "rolling_windows": "7,28",
                "horizon_days": 28,
                "holiday_calendar": "retail-v2-apac",
            },
        ),
        V("2.1.0", "2.0.0", "retraining", "2025-04-15", ARC, "Retrain on data to March 2025", 3.7, prod=True),
        V("2.2.0", "2.1.0", "retraining", "2025-07-15", ARC, "Retrain on data to June 2025", 4.1),
        V(
            "2.2.1",
            "2.2.0",
            "dependency",
            "2025-08-12",
            ARC,
            "lightgbm 4.3.0 -> 4.5.0 (fixes a rare segfault on empty categorical bins)",
            4.1,
            prod=True,
            runtime="lightgbm==4.5.0",
        ),
        V(
            "2.3.0",
            "2.2.1",
            "hyperparameters",
            "2025-11-11",
            ARC,
            "num_leaves 255 -> 511, tweedie power 1.2 -> 1.3",
            4.7,
            prod=True,
            hp={"num_leaves": 511, "tweedie_variance_power": 1.3},
        ),
        V(
            "2.4.0",
            "2.3.0",
            "retraining",
            "2026-02-17",
            ARC,
            "Retrain on data to January 2026 (peak season included)",
            5.2,
            prod=True,
        ),
        V("2.5.0", "2.4.0", "retraining", "2026-05-19", PROD, "Retrain on data to April 2026", 5.7),
        V(
            "2.6.0",
            "2.5.0",
            "retraining",
            "2026-08-18",
            ARC,
            "Retrain on data to July 2026; MAPE regression on [APAC] stores after the supplier feed outage, abandoned",
            5.4,
            seg_adj={"region=APAC": {"mape": 0.034, "wape": 0.026, "rmse": 5.0}},
            caveat="APAC sales for 2026-06-20..2026-07-04 were lost in a supplier feed outage and imputed "
            "as zeros, which drove the APAC regression.",
        ),
        V(
            "2.7.0",
            "2.5.0",
            "retraining",
            "2026-10-13",
            STG,
            "Retrain on data to September 2026 with the outage window excluded",
            6.2,
        ),
    ),
)

SUPPORT = Model(
    name="support-assistant",
    owner="team-assist",
    contact="assist-llm-oncall@example.com",
    description="Drafts customer-support replies for human agents over the help-center KB "
    "(OpenAI, pinned snapshot); agents approve every reply",
    frameworks={1: "openai", 2: "openai", 3: "openai", 4: "openai"},
    data_ref="support-evalset",
    data_source="Golden set of graded support conversations (EN/DE/JA) sampled from the ticketing system, "
    "plus the help-center KB snapshot of the same date used for retrieval",
    rows=(900, 45, "graded conversations"),
    window_months=6,
    metrics=(
        Metric("helpfulness", 0.712, 0.022, 0.004, 3),
        Metric("groundedness", 0.781, 0.021, 0.004, 3),
        Metric("refusal_rate", 0.062, -0.0042, 0.002, 3),
        Metric("cost_per_1k_usd", 9.8, 0.0, 0.15, 2, ratio=False),
        Metric("latency_p95_ms", 4200.0, 0.0, 90.0, 0, ratio=False),
    ),
    segments={
        "language=en": {"helpfulness": 0.021, "groundedness": 0.012, "refusal_rate": -0.008},
        "language=de": {"helpfulness": -0.008, "groundedness": -0.004, "latency_p95_ms": 250.0},
        "language=ja": {
            "helpfulness": -0.047,
            "groundedness": -0.021,
            "refusal_rate": 0.019,
            "cost_per_1k_usd": 1.4,
            "latency_p95_ms": 600.0,
        },
    },
    lines={
        2: {"cost_per_1k_usd": 1.8, "latency_p95_ms": 600.0},
        3: {"cost_per_1k_usd": 1.8, "latency_p95_ms": 600.0},
        4: {"cost_per_1k_usd": 1.8, "latency_p95_ms": 600.0},
    },
    pin_shift={
        "gpt-4o-2024-08-06": {"cost_per_1k_usd": -4.6, "latency_p95_ms": -300.0},
        "gpt-4o-2024-11-20": {"cost_per_1k_usd": -4.6, "latency_p95_ms": -500.0},
        "gpt-4.1-2025-04-14": {"cost_per_1k_usd": -5.5, "latency_p95_ms": -700.0},
        "gpt-5-2025-08-07": {"cost_per_1k_usd": -4.1, "latency_p95_ms": 1900.0},
    },
    intended_use={
        1: "Drafts replies to customer-support tickets (order status, returns, billing questions) for human "
        "agents in the agent desk; agents review and edit every draft before it is sent. Languages: English, "
        "German, Japanese. Legal, medical and account-security intents are routed to humans, never drafted.",
        2: "Drafts replies to customer-support tickets for human agents, grounded in retrieved help-center "
        "articles that the draft cites; agents review and edit every draft before it is sent. Languages: "
        "English, German, Japanese. Legal, medical and account-security intents are routed to humans.",
    },
    limitations={
        1: "No access to the order system beyond the ticket text, so it can state outdated policy when the "
        "help center changes faster than the prompt. Japanese drafts are less fluent and refused more often. "
        "Follows instructions customers paste into tickets (prompt injection) unless the guard catches them.",
        2: "Grounding depends on retrieval: when a KB article is missing or stale the model may answer from "
        "general knowledge, and groundedness drops for ~1 week after a policy launch. Agents sometimes paste "
        "Rich-style tags from the old macro tool, e.g. [link=https://help.example.com/returns]returns "
        "policy[/link], and drafts echo them verbatim. Template variables like {customer_name} must be "
        "filled upstream.",
    },
    fairness="Red-team set of 600 prompts across languages and customer personas: refusal-rate gap between "
    "languages {gap:.3f} (policy limit 0.050); no toxic or demeaning completions in the sample. Every "
    "draft is approved by a human agent before it reaches a customer.",
    attesters=("carol", "frank"),
    features=("ticket_subject", "ticket_body", "customer_language", "order_summary", "kb_passages"),
    prompt_rules=(
        "Answer only from the provided context; if it does not cover the question, say so.",
        "Cite sources as [1], [2] in the order they appear in the context.",
        "Address the customer as {customer_name}; never invent order numbers or dates.",
        "Hand off to a human for legal, medical or account-security topics ([/escalate]).",
    ),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-06-04",
            ARC,
            "First reply-drafting assistant, prompt v1.0",
            0.0,
            prod=True,
            pin="gpt-4o-2024-05-13",
            hp={
                "temperature": 0.3,
                "top_p": 1.0,
                "max_tokens": 800,
                "timeout_s": 20,
                "prompt_template": "support-v1.0",
                "response_format": "text",
            },
        ),
        V(
            "1.1.0",
            "1.0.0",
            "prompt",
            "2024-07-09",
            ARC,
            "Prompt v1.1: ask for the order number before answering delivery questions",
            1.0,
            prod=True,
            hp={"prompt_template": "support-v1.1"},
        ),
        V(
            "1.1.1",
            "1.1.0",
            "configuration",
            "2024-08-06",
            ARC,
            "max_tokens 800 -> 600, timeout 20 s -> 12 s",
            1.0,
            prod=True,
            hp={"max_tokens": 600, "timeout_s": 12},
            adj={"latency_p95_ms": -350.0},
        ),
        V(
            "1.1.2",
            "1.1.1",
            "dependency",
            "2024-09-10",
            ARC,
            "Pin gpt-4o-2024-05-13 -> gpt-4o-2024-08-06 (structured outputs, lower price)",
            1.2,
            prod=True,
            pin="gpt-4o-2024-08-06",
        ),
        V(
            "1.2.0",
            "1.1.2",
            "prompt",
            "2024-10-15",
            ARC,
            "Prompt v1.2: returns policy examples, shorter greetings",
            2.0,
            prod=True,
            hp={"prompt_template": "support-v1.2"},
        ),
        V(
            "1.3.0",
            "1.2.0",
            "prompt",
            "2024-12-10",
            ARC,
            "Prompt v1.3: stricter safety preamble; refusals rose on billing questions, not promoted",
            2.2,
            hp={"prompt_template": "support-v1.3"},
            adj={"refusal_rate": 0.031, "helpfulness": -0.03},
            caveat="Refusal rate on billing questions roughly doubled versus 1.2.0.",
        ),
        V(
            "1.2.1",
            "1.2.0",
            "dependency",
            "2025-01-14",
            ARC,
            "Pin gpt-4o-2024-08-06 -> gpt-4o-2024-11-20",
            2.3,
            prod=True,
            pin="gpt-4o-2024-11-20",
        ),
        V(
            "2.0.0",
            "1.2.1",
            "approach",
            "2025-03-11",
            ARC,
            "Retrieval-augmented drafting over the help-center KB with citations",
            3.5,
            prod=True,
            hp={
                "temperature": 0.3,
                "top_p": 1.0,
                "max_tokens": 700,
                "timeout_s": 15,
                "prompt_template": "support-v2.0",
                "response_format": "text",
                "retriever": "hybrid-bm25-ann",
                "retrieval_top_k": 6,
            },
        ),
        V(
            "2.1.0",
            "2.0.0",
            "prompt",
            "2025-05-06",
            ARC,
            "Prompt v2.1: say so when no article covers the question",
            4.1,
            prod=True,
            hp={"prompt_template": "support-v2.1"},
        ),
        V(
            "3.0.0",
            "2.1.0",
            "model-type",
            "2025-06-17",
            ARC,
            "Move from gpt-4o to gpt-4.1 (gpt-4.1-2025-04-14), prompt v3.0",
            4.8,
            prod=True,
            pin="gpt-4.1-2025-04-14",
            hp={
                "temperature": 0.3,
                "top_p": 1.0,
                "max_tokens": 700,
                "timeout_s": 15,
                "prompt_template": "support-v3.0",
                "response_format": "text",
                "retriever": "hybrid-bm25-ann",
                "retrieval_top_k": 8,
            },
        ),
        V(
            "3.1.0",
            "3.0.0",
            "prompt",
            "2025-09-09",
            ARC,
            "Prompt v3.1: drafts cite sources as [1], [2]; agents can force a handoff with [/escalate]",
            5.5,
            prod=True,
            hp={"prompt_template": "support-v3.1"},
        ),
        V(
            "3.2.0",
            "3.1.0",
            "hyperparameters",
            "2025-12-09",
            ARC,
            "temperature 0.3 -> 0.2, top_p 1.0 -> 0.9",
            5.9,
            prod=True,
            hp={"temperature": 0.2, "top_p": 0.9},
        ),
        V(
            "3.3.0",
            "3.2.0",
            "prompt",
            "2026-04-14",
            PROD,
            "Prompt v3.3: new returns window (30 -> 45 days) and DE formal address (Sie)",
            6.4,
            hp={"prompt_template": "support-v3.3"},
        ),
        V(
            "3.4.0",
            "3.3.0",
            "prompt",
            "2026-09-15",
            CAN,
            "Prompt v3.4: summarise the customer's problem in one line before the answer",
            6.9,
            share=10,
            hp={"prompt_template": "support-v3.4"},
        ),
        V(
            "4.0.0-rc.1",
            "3.4.0",
            "model-type",
            "2026-11-03",
            DEV,
            "Evaluate gpt-5 (gpt-5-2025-08-07) with low reasoning effort",
            7.6,
            attested=False,
            pin="gpt-5-2025-08-07",
            hp={
                "reasoning_effort": "low",
                "verbosity": "medium",
                "max_output_tokens": 1200,
                "timeout_s": 25,
                "prompt_template": "support-v4.0",
                "retriever": "hybrid-bm25-ann",
                "retrieval_top_k": 8,
            },
        ),
    ),
)

DOCSUM = Model(
    name="doc-summarizer",
    owner="team-assist",
    contact="assist-llm-oncall@example.com",
    description="Summarises contracts, policies and technical documents for the legal & compliance portal "
    "(Anthropic, pinned snapshot)",
    frameworks={1: "anthropic", 2: "anthropic", 3: "anthropic"},
    data_ref="docsum-goldens",
    data_source="Reference summaries written by legal-ops and compliance analysts for documents from the "
    "portal (contracts, internal policies, technical specifications)",
    rows=(320, 18, "document-summary pairs"),
    window_months=12,
    metrics=(
        Metric("helpfulness", 0.744, 0.019, 0.004, 3),
        Metric("groundedness", 0.861, 0.0145, 0.003, 3),
        Metric("refusal_rate", 0.018, -0.0011, 0.001, 3),
        Metric("cost_per_1k_usd", 14.2, 0.0, 0.2, 2, ratio=False),
        Metric("latency_p95_ms", 6800.0, 0.0, 120.0, 0, ratio=False),
    ),
    segments={
        "doc_type=contract": {
            "helpfulness": -0.012,
            "groundedness": -0.028,
            "cost_per_1k_usd": 3.1,
            "latency_p95_ms": 1400.0,
        },
        "doc_type=policy": {"helpfulness": 0.018, "groundedness": 0.011, "cost_per_1k_usd": -1.9},
        "doc_type=technical": {"helpfulness": -0.006, "groundedness": -0.009, "refusal_rate": 0.004},
    },
    lines={2: {"cost_per_1k_usd": 2.6}, 3: {"cost_per_1k_usd": 3.4}},
    pin_shift={
        "claude-sonnet-4-20250514": {"latency_p95_ms": -800.0},
        "claude-sonnet-4-5-20250929": {"latency_p95_ms": -1150.0},
    },
    intended_use={
        1: "Produces a one-page summary (parties, key obligations, dates, open risks) of contracts, internal "
        "policies and technical documents uploaded to the legal & compliance portal. Users: legal ops, "
        "compliance analysts, procurement. An aid to reading, never a substitute: the portal always links "
        "the source document next to the summary.",
    },
    limitations={
        1: "Long documents are chunked (map-reduce), so cross-references between distant sections can be "
        "lost. Scanned PDFs depend on OCR quality. Numbers and dates are the most common error class; the "
        "portal highlights them for verification. CMS markup such as [bold]...[/bold] is passed through "
        "verbatim and can appear in summaries.",
        2: "Fewer, larger chunks reduce lost cross-references but contracts over ~120 pages are still "
        "chunked. Numbers and dates remain the most common error class and are highlighted for "
        "verification. Scanned PDFs depend on OCR quality; handwritten annotations are ignored.",
    },
    fairness="Summaries compared on documents that mention protected groups (employment policies, "
    "accessibility statements): omission-rate gap {gap:.3f} (policy limit 0.050). Only document text is "
    "sent to the provider, under a DPA with zero data retention.",
    attesters=("carol",),
    features=("document_text", "document_type", "page_count", "language"),
    prompt_rules=(
        "Summarise only what the document says; never add advice or legal interpretation.",
        "Sections: Parties, Key obligations, Dates and amounts (with clause numbers), Open risks.",
        'Quote every number and date exactly as written, e.g. "EUR 12,500.00 (clause 7.2)".',
        "Pass CMS markup such as [bold] or [/bold] through unchanged; do not render or strip it.",
    ),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2025-01-28",
            ARC,
            "Map-reduce summariser, prompt docsum-v1.0",
            0.0,
            prod=True,
            pin="claude-3-5-sonnet-20241022",
            hp={
                "temperature": 0.0,
                "max_tokens": 1024,
                "chunk_tokens": 6000,
                "map_reduce": True,
                "prompt_template": "docsum-v1.0",
            },
        ),
        V(
            "1.1.0",
            "1.0.0",
            "prompt",
            "2025-03-18",
            ARC,
            "Prompt v1.1: list every date and amount with its clause number",
            1.0,
            prod=True,
            hp={"prompt_template": "docsum-v1.1"},
        ),
        V(
            "1.1.1",
            "1.1.0",
            "configuration",
            "2025-04-08",
            ARC,
            "chunk size 6k -> 8k tokens",
            1.2,
            prod=True,
            hp={"chunk_tokens": 8000},
            adj={"latency_p95_ms": -400.0},
        ),
        V(
            "1.2.0",
            "1.1.1",
            "prompt",
            "2025-05-20",
            ARC,
            "Prompt v1.2: keep section numbering; CMS tags like [bold] and [/bold] are passed through untouched",
            1.8,
            prod=True,
            hp={"prompt_template": "docsum-v1.2"},
        ),
        V(
            "2.0.0",
            "1.2.0",
            "model-type",
            "2025-06-24",
            ARC,
            "Move to claude-sonnet-4-20250514 with 16k chunks",
            2.9,
            prod=True,
            pin="claude-sonnet-4-20250514",
            hp={
                "temperature": 0.0,
                "max_tokens": 1536,
                "chunk_tokens": 16000,
                "map_reduce": True,
                "prompt_template": "docsum-v2.0",
            },
        ),
        V(
            "2.1.0",
            "2.0.0",
            "prompt",
            "2025-09-02",
            ARC,
            "Prompt v2.1: separate 'open risks' section for procurement",
            3.5,
            prod=True,
            hp={"prompt_template": "docsum-v2.1"},
        ),
        V(
            "3.0.0",
            "2.1.0",
            "model-type",
            "2025-10-21",
            ARC,
            "Move to claude-sonnet-4-5-20250929 with 32k chunks",
            4.4,
            prod=True,
            pin="claude-sonnet-4-5-20250929",
            hp={
                "temperature": 0.0,
                "max_tokens": 1536,
                "chunk_tokens": 32000,
                "map_reduce": True,
                "prompt_template": "docsum-v3.0",
            },
        ),
        V(
            "3.1.0",
            "3.0.0",
            "prompt",
            "2026-02-10",
            ARC,
            "Prompt v3.1: German and French documents summarised in the reader's language",
            5.0,
            prod=True,
            hp={"prompt_template": "docsum-v3.1"},
        ),
        V(
            "3.2.0",
            "3.1.0",
            "hyperparameters",
            "2026-06-09",
            PROD,
            "max_tokens 1536 -> 1200, temperature 0.0 -> 0.1 for less repetitive summaries",
            5.4,
            hp={"max_tokens": 1200, "temperature": 0.1},
            adj={"cost_per_1k_usd": -1.1},
        ),
        V(
            "3.2.1",
            "3.2.0",
            "configuration",
            "2026-08-04",
            ARC,
            "Request timeout 60 s -> 90 s for long contracts; superseded before canary",
            5.4,
            hp={"timeout_s": 90},
        ),
        V(
            "3.3.0",
            "3.2.0",
            "prompt",
            "2026-10-27",
            STG,
            "Prompt v3.3: obligations table with owner and due date columns",
            6.0,
            hp={"prompt_template": "docsum-v3.3", "timeout_s": 90},
        ),
    ),
)

EMBEDDER = Model(
    name="product-embedder",
    owner="team-ml-platform",
    contact="ml-platform-oncall@example.com",
    description="Image + text embeddings for catalogue items, shared by search retrieval, recommendations "
    "and near-duplicate listing detection",
    frameworks={1: "pytorch", 2: "pytorch"},
    data_ref="catalog-images",
    data_source="Catalogue product images and titles with co-purchase and same-session click pairs as positives",
    rows=(6_200_000, 140_000, "image-title pairs"),
    window_months=24,
    metrics=(
        Metric("recall_at_10", 0.618, 0.021, 0.003, 4),
        Metric("mrr", 0.482, 0.0185, 0.003, 4),
        Metric("latency_p95_ms", 14.2, 0.0, 0.7, 1, ratio=False),
    ),
    segments={
        "category=apparel": {"recall_at_10": 0.031, "mrr": 0.024},
        "category=electronics": {"recall_at_10": -0.022, "mrr": -0.018},
        "category=home": {"recall_at_10": -0.041, "mrr": -0.029, "latency_p95_ms": 0.8},
    },
    lines={2: {"recall_at_10": 0.018, "mrr": 0.012, "latency_p95_ms": 9.0}},
    intended_use={
        1: "Embeds catalogue images and titles into a shared 256-d vector space used by search retrieval "
        "(ANN), 'similar items' recommendations and near-duplicate listing detection. Users: search, "
        "recommendations and trust & safety services through the embedding API.",
        2: "Embeds catalogue images and titles into a shared 512-d vector space (ViT-B/16 image tower) used "
        "by search retrieval (ANN), 'similar items' recommendations and near-duplicate listing detection. "
        "Users: search, recommendations and trust & safety services through the embedding API.",
    },
    limitations={
        1: "Trained mostly on apparel and home; electronics shots (product on white) are less distinctive "
        "and recall@10 is lower. Text printed in images (labels, sizes) is not read. Vectors from different "
        "major versions are incompatible: a major upgrade needs a full re-index (~6 h).",
    },
    fairness="Skin-tone and gender-presentation balance checked on 4,000 apparel images with human-"
    "labelled attributes: recall@10 gap {gap:.3f} (policy limit 0.050). Images showing people are "
    "down-weighted in near-duplicate detection to avoid matching on the model rather than the product.",
    attesters=("alice", "carol"),
    features=("image", "title", "category_path"),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2024-09-10",
            ARC,
            "ResNet-50 image tower + DistilBERT text tower, 256-d contrastive embeddings",
            0.0,
            prod=True,
            hp={
                "image_backbone": "resnet50",
                "text_encoder": "distilbert-base",
                "embedding_dim": 256,
                "loss": "infonce",
                "temperature": 0.07,
                "learning_rate": 0.0001,
                "batch_size": 1024,
                "epochs": 20,
                "serving_batch_size": 64,
                "int8_quantization": True,
            },
        ),
        V(
            "1.1.0",
            "1.0.0",
            "retraining",
            "2024-12-03",
            ARC,
            "Retrain with autumn catalogue and co-purchase pairs",
            1.0,
            prod=True,
        ),
        V(
            "1.1.1",
            "1.1.0",
            "configuration",
            "2025-01-21",
            ARC,
            "Serving batch 64 -> 128, int8 quantisation off (recall loss on electronics)",
            1.2,
            prod=True,
            hp={"serving_batch_size": 128, "int8_quantization": False},
            adj={"latency_p95_ms": -2.4},
        ),
        V(
            "2.0.0",
            "1.1.1",
            "architecture",
            "2025-04-29",
            ARC,
            "ViT-B/16 image tower fine-tuned from OpenCLIP, 512-d embeddings (full re-index)",
            2.6,
            prod=True,
            hp={
                "image_backbone": "vit-b-16",
                "init": "openclip-laion2b",
                "text_encoder": "openclip-text",
                "embedding_dim": 512,
                "loss": "infonce",
                "temperature": 0.05,
                "learning_rate": 0.0001,
                "batch_size": 2048,
                "epochs": 15,
                "serving_batch_size": 128,
                "int8_quantization": False,
            },
        ),
        V("2.1.0", "2.0.0", "retraining", "2025-08-05", ARC, "Retrain with spring/summer catalogue", 3.2, prod=True),
        V(
            "2.2.0",
            "2.1.0",
            "hyperparameters",
            "2025-11-18",
            ARC,
            "learning rate 1e-4 -> 5e-5, 30 epochs; no gain over 2.1.0, archived",
            3.1,
            hp={"learning_rate": 5.0e-05, "epochs": 30},
        ),
        V(
            "2.3.0",
            "2.1.0",
            "retraining",
            "2026-03-03",
            PROD,
            "Retrain with the holiday catalogue and marketplace listings",
            3.9,
        ),
        V("2.4.0", "2.3.0", "retraining", "2026-08-25", CAN, "Retrain with the summer 2026 catalogue", 4.5, share=5),
        V(
            "2.4.1",
            "2.4.0",
            "dependency",
            "2026-11-04",
            DEV,
            "torch 2.2.2 -> 2.5.1 and CUDA 12.4 base image",
            4.5,
            runtime="torch==2.5.1",
        ),
    ),
)

ROUTER = Model(
    name="ticket-router",
    owner="team-assist",
    contact="assist-llm-oncall@example.com",
    description="Routes inbound support tickets to one of 14 queues; not in production yet, shadow-tested in Staging",
    frameworks={1: "scikit-learn", 2: "pytorch"},
    data_ref="tickets-labelled",
    data_source="Support tickets with the queue an agent finally resolved them in, remapped to the "
    "June 2026 queue structure",
    rows=(480_000, 30_000, "tickets"),
    window_months=12,
    metrics=(
        Metric("macro_f1", 0.712, 0.021, 0.004, 4),
        Metric("accuracy", 0.803, 0.015, 0.003, 4),
        Metric("top2_accuracy", 0.912, 0.0095, 0.002, 4),
        Metric("latency_p95_ms", 6.1, 0.0, 0.4, 1, ratio=False),
    ),
    segments={
        "channel=email": {"macro_f1": 0.012, "accuracy": 0.009},
        "channel=chat": {"macro_f1": -0.034, "accuracy": -0.026, "top2_accuracy": -0.012},
    },
    lines={2: {"macro_f1": 0.02, "accuracy": 0.012, "latency_p95_ms": 34.0}},
    intended_use={
        1: "Assigns each inbound support ticket (email and chat) to one of 14 queues (billing, returns, "
        "delivery, account security, ...). Currently shadow-scored only: agents route manually and the "
        "model's choice is logged for comparison.",
    },
    limitations={
        1: "Queues were reorganised in 2026-06; older labels are remapped and ~4% are ambiguous. Short chat "
        "tickets are routed less accurately. Account-security tickets are caught by a keyword rule before "
        "the model and must never depend on it.",
    },
    fairness="Routing quality compared across customer language and channel: largest macro-F1 gap {gap:.3f} "
    "(policy limit 0.050). A misroute only delays a ticket; no ticket is closed automatically.",
    attesters=("carol",),
    features=("subject", "body", "channel", "language"),
    versions=(
        V(
            "1.0.0",
            None,
            "initial",
            "2026-07-21",
            STG,
            "TF-IDF + logistic regression baseline over 14 queues",
            0.0,
            hp={
                "vectorizer": "tfidf",
                "ngram_range": "1-2",
                "min_df": 3,
                "classifier": "LogisticRegression",
                "C": 4.0,
                "class_weight": "balanced",
                "max_iter": 2000,
            },
        ),
        V(
            "1.1.0",
            "1.0.0",
            "retraining",
            "2026-09-08",
            DEV,
            "Retrain with August tickets under the new queue structure",
            1.2,
        ),
        V(
            "1.2.0",
            "1.1.0",
            "hyperparameters",
            "2026-10-06",
            DEV,
            "ngrams 1-2 -> 1-3, C 4.0 -> 2.0",
            1.6,
            attested=False,
            hp={"ngram_range": "1-3", "C": 2.0},
        ),
        V(
            "2.0.0-rc.1",
            "1.2.0",
            "approach",
            "2026-11-10",
            DEV,
            "Fine-tuned multilingual DistilBERT classifier",
            2.6,
            attested=False,
            hp={
                "architecture": "distilbert-base-multilingual-cased",
                "max_seq_len": 256,
                "learning_rate": 3.0e-05,
                "batch_size": 32,
                "epochs": 4,
                "label_smoothing": 0.1,
            },
        ),
    ),
)

MODELS: tuple[Model, ...] = (CHURN, FRAUD, SEARCH, DEMAND, SUPPORT, DOCSUM, EMBEDDER, ROUTER)


def seed_of(*parts: str) -> int:
    """A stable integer seed from text (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def rng_for(*parts: str) -> random.Random:
    """A seeded random generator for one purpose."""
    return random.Random(seed_of(*parts))


def seeded_bytes(size: int, *parts: str) -> bytes:
    """Deterministic pseudo-random bytes (SHA-256 in counter mode)."""
    seed = hashlib.sha256("\x1f".join(parts).encode()).digest()
    blocks = (hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def major_of(version: str) -> int:
    """The major component of a version string."""
    return int(version.split(".", 1)[0])


def text_for(table: dict[int, str], major: int) -> str:
    """The text for a major line, falling back to the closest lower line."""
    return table[max(k for k in table if k <= major)]


def created_at(model: Model, spec: V) -> datetime:
    """The registration time: the hand-written day at a seeded working-hours time (UTC)."""
    rng = rng_for(model.name, spec.version, "created")
    day = datetime.strptime(spec.day, "%Y-%m-%d").replace(tzinfo=UTC)
    return day + timedelta(hours=rng.randint(8, 17), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))


def snapshot_month(moment: datetime) -> str:
    """The data snapshot a version created at this time trains on: the previous month."""
    first = moment.replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a Z suffix."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def provider_of(pin: str) -> tuple[str, str]:
    """Provider and model family of an exact provider version string."""
    family = re.sub(r"-(\d{4}-\d{2}-\d{2}|\d{8})$", "", pin)
    return ("anthropic" if pin.startswith("claude") else "openai"), family


def metric_value(metric: Metric, model: Model, spec: V, pin: str | None, segment: str | None) -> float:
    """One metric value: base + line/provider shift + quality trend + segment offset + seeded noise."""
    major = major_of(spec.version)
    value = metric.base + model.lines.get(major, {}).get(metric.name, 0.0) + metric.step * spec.q
    value += model.pin_shift.get(pin or "", {}).get(metric.name, 0.0) + spec.adj.get(metric.name, 0.0)
    if segment is not None:
        value += model.segments[segment].get(metric.name, 0.0)
        value += spec.seg_adj.get(segment, {}).get(metric.name, 0.0)
    value += rng_for(model.name, spec.version, metric.name, segment or "").uniform(-1, 1) * metric.noise
    if metric.ratio:
        value = min(max(value, 0.0), 0.999)
    return round(value, metric.digits) if metric.digits else float(round(value))


def metrics_for(model: Model, spec: V, pin: str | None) -> dict[str, Any]:
    """Overall and per-segment metrics, keys sorted like the registry's canonical form."""
    ordered = sorted(model.metrics, key=lambda m: m.name)

    def block(segment: str | None) -> dict[str, float]:
        """All metrics for one segment (or overall)."""
        return {m.name: metric_value(m, model, spec, pin, segment) for m in ordered}

    return {"overall": block(None), "segments": {s: block(s) for s in sorted(model.segments)}}


def inherited(spec: V, parent: Built | None) -> dict[str, Any]:
    """Hyperparameters: the parent's with this version's overrides, or a fresh set in a new major line."""
    if parent is None or major_of(parent.spec.version) != major_of(spec.version):
        return dict(sorted(spec.hp.items()))
    return dict(sorted({**parent.hyperparameters, **spec.hp}.items()))


def build_version(model: Model, spec: V, parent: Built | None) -> Built:
    """Resolve framework, data, hyperparameters, pin, runtime and metrics from the spec and its parent."""
    framework = model.frameworks[major_of(spec.version)]
    moment = created_at(model, spec)
    if spec.kind in FRESH_DATA_KINDS or parent is None:
        data = f"{model.data_ref}@{snapshot_month(moment)}"
    else:
        data = parent.training_data
    pin = spec.pin or (parent.pin if parent else None)
    same_stack = parent is not None and parent.framework == framework
    runtime = spec.runtime or (parent.runtime if same_stack and parent else RUNTIMES[framework])
    return Built(
        model, spec, framework, moment, data, inherited(spec, parent), metrics_for(model, spec, pin), pin, runtime
    )


def build_model(model: Model) -> list[Built]:
    """Every version of a model, resolved in lineage order."""
    built: dict[str, Built] = {}
    for spec in model.versions:
        built[spec.version] = build_version(model, spec, built.get(spec.parent or ""))
    return list(built.values())


def primary(model: Model) -> Metric:
    """The headline metric of a model (the first one listed)."""
    return model.metrics[0]


def fmt(metric: Metric, value: float) -> str:
    """A metric value for prose."""
    return f"{value:.{metric.digits}f}" if metric.digits else f"{value:.0f}"


def evaluation_text(b: Built, parent: Built | None) -> str:
    """The model card's evaluation section: overall numbers, per-segment spread, change versus parent."""
    head = primary(b.model)
    overall = b.metrics["overall"]
    numbers = ", ".join(f"{m.name} {fmt(m, overall[m.name])}" for m in b.model.metrics)
    per_segment = {s: v[head.name] for s, v in b.metrics["segments"].items()}
    worst_first = head.step < 0
    ordered = sorted(per_segment.items(), key=lambda kv: kv[1], reverse=worst_first)
    segments = "; ".join(f"{s} {fmt(head, v)}" for s, v in ordered)
    text = (
        f"Offline evaluation on the held-out split of {b.training_data}: {numbers}. "
        f"By segment ({head.name}, weakest first): {segments}."
    )
    if parent is not None:
        delta = overall[head.name] - parent.metrics["overall"][head.name]
        text += f" Versus parent {parent.spec.version}: {head.name} {delta:+.{max(head.digits, 1)}f}."
    return text


def fairness_section(b: Built) -> dict[str, Any]:
    """The fairness summary with its attestation (absent for some Development versions)."""
    rng = rng_for(b.model.name, b.spec.version, "fairness")
    summary = b.model.fairness.format(gap=rng.uniform(0.006, 0.034))
    if not b.spec.attested:
        return {"summary": "Draft, review pending. " + summary, "attested_by": None, "attested_at": None}
    reviewer = b.model.attesters[seed_of(b.model.name, b.spec.version) % len(b.model.attesters)]
    when = b.created_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5), minutes=rng.randint(0, 59))
    return {"summary": summary, "attested_by": reviewer, "attested_at": iso(when)}


def data_section(b: Built) -> dict[str, str]:
    """The model card's training-data section: source, size and date range of the snapshot."""
    year, month = (int(p) for p in b.training_data.rsplit("@", 1)[1].split("-"))
    base, per_month, unit = b.model.rows
    count = base + per_month * ((year - 2024) * 12 + month)
    start_index = year * 12 + month - 1 - (b.model.window_months - 1)
    start = f"{start_index // 12:04d}-{start_index % 12 + 1:02d}-01"
    end = f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return {"source": b.model.data_source, "size": f"{human_count(count)} {unit}", "date_range": f"{start}..{end}"}


def human_count(count: int) -> str:
    """A row count the way people write it (1.24M, 186k, 950)."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.2f}M"
    if count >= 10_000:
        return f"{count / 1000:.0f}k"
    return f"{count:,}"


def model_card(b: Built, parent: Built | None) -> dict[str, Any]:
    """All six model-card sections."""
    major = major_of(b.spec.version)
    limitations = text_for(b.model.limitations, major)
    if b.spec.caveat:
        limitations = f"{limitations} {b.spec.caveat}"
    return {
        "intended_use": text_for(b.model.intended_use, major),
        "limitations": limitations,
        "evaluation": evaluation_text(b, parent),
        "fairness": fairness_section(b),
        "training_data": data_section(b),
        "responsible": {"team": b.model.owner, "escalation_contact": b.model.contact},
    }


def header(b: Built, role: str) -> dict[str, Any]:
    """The identifying header written into every artifact file."""
    return {
        "format": "regtui-demo-artifact/1",
        "model": b.model.name,
        "version": b.spec.version,
        "framework": b.framework,
        "runtime": b.runtime,
        "role": role,
        "note": "synthetic demo content, not a usable model",
    }


def weights_binary(b: Built) -> bytes:
    """A binary weights file: a JSON header line and seeded payload bytes."""
    size = rng_for(b.model.name, b.spec.version, "weights-size").randint(400, 1400)
    head = (json.dumps(header(b, "weights"), sort_keys=True) + "\n").encode()
    return head + seeded_bytes(size, b.model.name, b.spec.version, "weights")


def lightgbm_text(b: Built) -> bytes:
    """A LightGBM-style text model dump with seeded trees."""
    rng = rng_for(b.model.name, b.spec.version, "lightgbm")
    features = b.model.features
    lines = [
        f"# {json.dumps(header(b, 'weights'), sort_keys=True)}",
        "tree",
        "version=v4",
        "num_class=1",
        f"max_feature_idx={len(features) - 1}",
        f"objective={b.hyperparameters.get('objective')}",
        "feature_names=" + " ".join(features),
        "",
    ]
    for tree in range(rng.randint(3, 5)):
        leaves = rng.randint(4, 7)
        lines += [
            f"Tree={tree}",
            f"num_leaves={leaves}",
            "split_feature=" + " ".join(str(rng.randrange(len(features))) for _ in range(leaves - 1)),
            "threshold=" + " ".join(f"{rng.uniform(0, 50):.6g}" for _ in range(leaves - 1)),
            "leaf_value=" + " ".join(f"{rng.gauss(0, 0.2):.6g}" for _ in range(leaves)),
            f"shrinkage={b.hyperparameters.get('learning_rate')}",
            "",
        ]
    return ("\n".join(lines) + "end of trees\n").encode()


def prophet_json(b: Built) -> bytes:
    """A Prophet-style serialised model with seeded parameters."""
    rng = rng_for(b.model.name, b.spec.version, "prophet")
    document = {
        **header(b, "weights"),
        "growth": b.hyperparameters["growth"],
        "changepoints": [f"2023-{m:02d}-01" for m in range(2, 13, 2)],
        "params": {
            "k": round(rng.gauss(0, 0.3), 6),
            "m": round(rng.uniform(0.2, 0.6), 6),
            "delta": [round(rng.gauss(0, 0.05), 6) for _ in range(12)],
            "beta": [round(rng.gauss(0, 0.1), 6) for _ in range(20)],
            "sigma_obs": round(rng.uniform(0.02, 0.09), 6),
        },
    }
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()


def weights_file(b: Built) -> tuple[str, bytes]:
    """The model weights artifact for the version's framework."""
    name = WEIGHT_FILES[b.framework]
    if b.framework == "lightgbm":
        return name, lightgbm_text(b)
    if b.framework == "prophet":
        return name, prophet_json(b)
    return name, weights_binary(b)


def config_file(b: Built) -> tuple[str, bytes]:
    """The feature schema / inference config artifact (JSON)."""
    document = {
        **header(b, "config"),
        "inputs": list(b.model.features),
        "hyperparameters": b.hyperparameters,
        "training_data": b.training_data,
    }
    if b.pin:
        provider, family = provider_of(b.pin)
        document["provider"] = {"provider": provider, "model": family, "version": b.pin}
    name = "app-config.json" if b.pin else CONFIG_FILES.get(b.framework, "feature-schema.json")
    return name, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def prompt_file(b: Built) -> tuple[str, bytes]:
    """The versioned system prompt of an LLM application (Markdown)."""
    template = b.hyperparameters["prompt_template"]
    body = [
        f"<!-- {template} | {b.model.name}@{b.spec.version} | pinned {b.pin} -->",
        f"# System prompt {template}",
        "",
        text_for(b.model.intended_use, major_of(b.spec.version)),
        "",
        "## Rules",
        *(f"- {rule}" for rule in b.model.prompt_rules),
        "",
        "## Revision notes",
        f"- {b.spec.note}",
        "",
    ]
    return "prompt.md", "\n".join(body).encode()


def artifact_files(b: Built) -> list[tuple[str, str, bytes]]:
    """(artifact name, file name, content) for every artifact of a version."""
    if b.framework in LLM_FRAMEWORKS:
        return [("prompt", *prompt_file(b)), ("app-config", *config_file(b))]
    return [("model", *weights_file(b)), ("config", *config_file(b))]


def tamper(content: bytes) -> bytes:
    """Overwrite 16 bytes in the middle of a file, keeping its size (the deliberate mismatch)."""
    middle = len(content) // 2
    patch = seeded_bytes(16, "tampered-after-registration")
    return content[:middle] + patch + content[middle + 16 :]


def write_artifacts(out: Path, b: Built) -> None:
    """Write a version's artifact files and record their sha256 and size (before any tampering)."""
    folder = out / "artifacts" / b.model.name / b.spec.version
    folder.mkdir(parents=True, exist_ok=True)
    for name, file_name, content in artifact_files(b):
        b.artifacts.append(
            {
                "name": name,
                "uri": f"../../artifacts/{b.model.name}/{b.spec.version}/{file_name}",
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
            }
        )
        if (b.model.name, b.spec.version, name) == TAMPERED:
            content = tamper(content)
        (folder / file_name).write_bytes(content)


def manifest(b: Built, parent: Built | None) -> dict[str, Any]:
    """The model-version document, keys in the order of the README's manifest format."""
    document: dict[str, Any] = {
        "kind": "model-version",
        "model": b.model.name,
        "version": b.spec.version,
        "change_kind": b.spec.kind,
        "parent": b.spec.parent,
        "framework": b.framework,
        "owner": b.model.owner,
        "created_at": iso(b.created_at),
        "training_data": b.training_data,
        "description": b.spec.note,
        "hyperparameters": b.hyperparameters,
        "metrics": b.metrics,
        "model_card": model_card(b, parent),
        "artifacts": b.artifacts,
    }
    if b.pin:
        provider, family = provider_of(b.pin)
        document["provider"] = {"provider": provider, "model": family, "version": b.pin}
    document["stage"] = b.spec.stage
    document["canary_share"] = b.spec.share
    return document


def registry_document() -> dict[str, Any]:
    """The registry file: users with roles and teams, models with owner and description."""
    return {
        "kind": "registry",
        "users": [dict(u) for u in USERS],
        "models": [{"name": m.name, "owner": m.owner, "description": m.description} for m in MODELS],
    }


def dump(document: dict[str, Any]) -> str:
    """Block-style YAML that keeps key order (same settings as regtui export)."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def production_history(versions: list[Built]) -> list[str]:
    """Versions that have been in Production, oldest first, the current one last."""
    chosen = [b for b in versions if b.spec.prod or b.spec.stage == PROD]
    return [b.spec.version for b in sorted(chosen, key=lambda b: b.created_at)]


def stage_table(all_versions: dict[str, list[Built]]) -> list[str]:
    """Markdown rows counting versions per model and stage."""
    rows = ["| model | versions | " + " | ".join(STAGES) + " |", "|---|---:|" + "---:|" * len(STAGES)]
    for name, versions in all_versions.items():
        counts = [sum(1 for b in versions if b.spec.stage == s) for s in STAGES]
        rows.append(f"| {name} | {len(versions)} | " + " | ".join(map(str, counts)) + " |")
    return rows


def queue_table(history: demo_history.History) -> list[str]:
    """Markdown rows of the open requests and what each still needs."""
    rows = ["| request | version | move | requested by | still missing |", "|---|---|---|---|---|"]
    rows += [f"| #{q.id} | {q.ref} | {q.move} | {q.requested_by} | {'; '.join(q.missing)} |" for q in history.queue]
    return rows


def drill_table(history: demo_history.History, policy: Policy) -> list[str]:
    """Markdown rows of each model's last rollback drill, flagged when older than its cadence."""
    rows = ["| model | last drill | by | outcome | cadence | as of 2026-11-27 |", "|---|---|---|---|---:|---|"]
    for model, entry in demo_history.last_drills(history.log).items():
        cadence = policy.for_model(model).drill_cadence_days
        age = (demo_history.TOLD_AT - demo_history.parse_time(entry["at"])).days
        days = f"{age} day{'' if age == 1 else 's'}"
        state = f"**overdue** ({days})" if age > cadence else f"{days} ago"
        rows.append(
            f"| {model} | {entry['at'][:10]} | {entry['actor']} | {entry['details']['outcome']} | "
            f"{cadence} d | {state} |"
        )
    return rows


def failed_drills(history: demo_history.History) -> list[str]:
    """One line per model whose last drill failed, with the procedure's own words."""
    last = demo_history.last_drills(history.log)
    return [
        f"- `{model}`: {entry['details']['detail']}"
        for model, entry in last.items()
        if entry["details"]["outcome"] == "failed"
    ]


def rollback_lines(history: demo_history.History) -> list[str]:
    """One line per rollback in the log, with what replaced the restored version afterwards."""
    entries = history.log["entries"]
    lines = []
    for entry in (e for e in entries if e["kind"] == "rollback"):
        later = next(
            (
                e
                for e in entries
                if e["kind"] == "replaced"
                and e["model"] == entry["model"]
                and e["version"] == entry["version"]
                and e["position"] > entry["position"]
            ),
            None,
        )
        then = f"; {later['details']['replaced_by']} replaced it on {later['at'][:10]}" if later else ""
        details = entry["details"]
        lines.append(
            f"- `{entry['model']}`: on {entry['at'][:10]} {entry['actor']} rolled {details['from_version']} "
            f'back to {entry["version"]} ("{details["reason"]}"){then}.'
        )
    return lines


def story_lines(history: demo_history.History, policy: Policy) -> list[str]:
    """The README's account of the governance history: policy, queue, rollback, drills, tampering."""
    entries = history.log["entries"]
    revisions = [e["at"][:10] for e in entries if e["kind"] == "policy"]
    model, version, artifact = TAMPERED
    return [
        "## The story (as of 2026-11-27)",
        "",
        f"The log runs from {entries[0]['at'][:10]} to {entries[-1]['at'][:10]}. Every version is registered by an",
        "engineer of its owning team, staged through the automated threshold gate, reviewed for Canary, and signed",
        "off for Production by the owner, the policy's stakeholder teams and a second reviewer before a releaser",
        "(frank or heidi) applies it. The policy was revised on " + ", ".join(revisions) + ";",
        "earlier revisions had the lower thresholds the models of their time met, the last one is `policy.yaml`",
        "(search-ranker 2.4.1 entered Staging just before it and no longer meets the search latency thresholds).",
        "",
        "### Approval queue (open requests)",
        "",
        *queue_table(history),
        "",
        "`artifacts verified` is always missing from a Production request in the queue: the artifacts are",
        "re-hashed when a releaser applies it.",
        "",
        "### Past rollback",
        "",
        *rollback_lines(history),
        "",
        "### Rollback drills",
        "",
        *drill_table(history, policy),
        "",
        "Last drills that failed, as the drill procedure reported them:",
        "",
        *failed_drills(history),
        "",
        "### Deliberately tampered artifact",
        "",
        f"`{model}@{version}`, artifact `{artifact}` (`artifacts/{model}/{version}/model.pt`). {version} was",
        "Production until 2.5.0 replaced it, so it is Archived and the first rollback target. Its file was",
        f"overwritten on {demo_history.TAMPERED_AT:%Y-%m-%d} (same size, 16 bytes differ), after registration, so",
        "`verify`, `rollback` and `drill` report a checksum mismatch: the last fraud-detector drill failed on it, and",
        "a rollback to 2.4.0 is refused while one to 2.2.0 (the next target) goes through. Every other artifact",
        "matches its manifest.",
        "",
    ]


def readme(all_versions: dict[str, list[Built]], history: demo_history.History, policy: Policy) -> str:
    """regtui/data/demo/README.md: layout, the story, stage counts and Production history."""
    total = sum(len(v) for v in all_versions.values())
    statuses = [r["status"] for r in history.requests["requests"]]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(sorted(statuses)))
    lines = [
        "# Demo registry fixtures",
        "",
        "Generated by `scripts/make_demo_fixtures.py`; do not edit by hand (except `policy.yaml`). Regenerate",
        "with `python scripts/make_demo_fixtures.py` (regtui must be importable: it plays the history through",
        "regtui's own write path) and validate with `python scripts/make_demo_fixtures.py --check` (also needs",
        "the `semver` package).",
        "",
        f"- `registry.yaml`: {len(USERS)} users (roles, teams) and {len(MODELS)} models (owner, description)",
        "- `policy.yaml`: the governance policy (written by hand; the generator only reads it)",
        "- `providers.yaml`: the provider registry: feeds, provider model versions, qualification checks,",
        "  deprecations (written by hand; the generator only reads it and replays it into the log)",
        f"- `models/<model>/<version>.yaml`: {total} model-version manifests, with who registered each and who",
        "  last changed its stage, when (matching the log)",
        "- `artifacts/<model>/<version>/`: small synthetic artifact files referenced by relative URI",
        f"- `log.yaml`: the hash-chained promotion log, {len(history.log['entries'])} entries (restored verbatim by",
        "  `regtui import` into an empty registry)",
        f"- `requests.yaml`: {len(statuses)} promotion requests ({counts}) with their approvals",
        "",
        *story_lines(history, policy),
        "## Versions per stage",
        "",
        *stage_table(all_versions),
        "",
        "## Production history (oldest first, current last; rollbacks marked)",
        "",
        *(
            f"- {name}: {', '.join(demo_history.production_story(history.log, name)) or 'none yet'}"
            for name in all_versions
        ),
        "",
    ]
    return "\n".join(lines)


def releases(
    out: Path, all_versions: dict[str, list[Built]], documents: dict[tuple[str, str], dict[str, Any]]
) -> list[demo_history.Release]:
    """What the story needs to know about every version."""
    return [
        demo_history.Release(
            documents[(name, b.spec.version)],
            b.spec.prod or b.spec.stage == PROD,
            out / "models" / name,
            primary(b.model).name,
        )
        for name, versions in all_versions.items()
        for b in versions
    ]


def provenance(document: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The registration and stage-change fields the story left on a version (its stage must be the planned one)."""
    share = document["canary_share"]
    if (row["stage"], row["canary_share"]) != (document["stage"], None if share is None else float(share)):
        raise demo_history.StoryError(
            f"{document['model']}@{document['version']} ends in {row['stage']} "
            f"(share {row['canary_share']}), the fixtures say {document['stage']}"
        )
    return {k: row[k] for k in ("registered_by", "registered_at", "stage_changed_by", "stage_changed_at")}


def check_production_order(all_versions: dict[str, list[Built]], history: demo_history.History) -> None:
    """Every Production history is replayed in order (rollbacks may reinstate a version in between)."""
    for name, versions in all_versions.items():
        told = list(dict.fromkeys(v.split(" ")[0] for v in demo_history.production_story(history.log, name)))
        if told != production_history(versions):
            raise demo_history.StoryError(
                f"{name}: the log's Production history {told} is not {production_history(versions)}"
            )


def clear(out: Path, inputs: dict[str, str]) -> None:
    """Remove what the generator writes (and nothing else) and put the hand-written inputs in place."""
    out.mkdir(parents=True, exist_ok=True)
    for name in GENERATED:
        if (out / name).is_dir():
            shutil.rmtree(out / name)
        (out / name).unlink(missing_ok=True)
    for name, text in inputs.items():
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text:
            (out / name).write_text(text, encoding="utf-8")


def generate(out: Path, inputs: dict[str, str]) -> dict[str, list[Built]]:
    """Rewrite the generated part of the fixtures folder from the hand-written inputs, story included."""
    clear(out, inputs)
    registry = registry_document()
    (out / "registry.yaml").write_text(dump(registry), encoding="utf-8")
    all_versions: dict[str, list[Built]] = {}
    documents: dict[tuple[str, str], dict[str, Any]] = {}
    for model in MODELS:
        versions = build_model(model)
        by_version = {b.spec.version: b for b in versions}
        for b in versions:
            write_artifacts(out, b)
            documents[(model.name, b.spec.version)] = manifest(b, by_version.get(b.spec.parent or ""))
        all_versions[model.name] = versions
    policy = load_policy_text(inputs["policy.yaml"], str(out / "policy.yaml"))
    providers = parse_providers_manifest(yaml.safe_load(inputs["providers.yaml"]), source=str(out / "providers.yaml"))
    history = demo_history.tell(
        releases(out, all_versions, documents), {m.name: m.owner for m in MODELS}, policy, providers, registry
    )
    check_production_order(all_versions, history)
    for (name, version), document in documents.items():
        document.update(provenance(document, history.provenance[(name, version)]))
        (out / "models" / name).mkdir(parents=True, exist_ok=True)
        (out / "models" / name / f"{version}.yaml").write_text(dump(document), encoding="utf-8")
    (out / "log.yaml").write_text(dump_yaml(history.log), encoding="utf-8")
    (out / "requests.yaml").write_text(dump_yaml(history.requests), encoding="utf-8")
    (out / "README.md").write_text(readme(all_versions, history, policy), encoding="utf-8")
    return all_versions


# --- self-check -------------------------------------------------------------------------------------


def read_yaml(path: Path) -> Any:
    """A YAML file, parsed with libyaml when PyYAML has it (the log is large)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_manifests(out: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every model-version manifest under models/, parsed with PyYAML."""
    for path in sorted((out / "models").rglob("*.yaml")):
        yield path, read_yaml(path)


def bump_problem(version: str, parent: str, kind: str) -> str | None:
    """Why a version violates the semver/change-kind rule relative to its parent (None when it is fine)."""
    import semver

    child, base = semver.Version.parse(version), semver.Version.parse(parent)
    if child.compare(base) <= 0:
        return f"{version} is not above parent {parent}"
    if base.prerelease and child.finalize_version() == base.finalize_version():
        return None
    levels = ("major", "minor", "patch")
    level = next(p for p in levels if getattr(child, p) != getattr(base, p))
    expected = "major" if kind in MAJOR_KINDS else "minor" if kind in MINOR_KINDS else "patch"
    if level != expected:
        return f"{parent} -> {version} is a {level} bump but change kind {kind} needs {expected}"
    if any(getattr(child, p) != 0 for p in levels[levels.index(level) + 1 :]):
        return f"{version} does not reset the components below {level}"
    return None


def check_fields(path: Path, doc: dict[str, Any]) -> list[str]:
    """Documented keys only, required keys present, model card complete, stage and canary share coherent."""
    problems = [f"{path}: unknown key {k}" for k in doc if k not in MANIFEST_KEYS]
    problems += [f"{path}: missing {k}" for k in REQUIRED_KEYS if not doc.get(k)]
    problems += [f"{path}: empty card section {s}" for s in CARD_SECTIONS if not doc["model_card"].get(s)]
    if doc["stage"] not in STAGES:
        problems.append(f"{path}: bad stage {doc['stage']}")
    if (doc["stage"] == CAN) != (doc.get("canary_share") is not None):
        problems.append(f"{path}: canary_share must be set exactly when in Canary")
    if doc["stage"] in (STG, CAN, PROD) and not doc["model_card"]["fairness"].get("attested_by"):
        problems.append(f"{path}: {doc['stage']} version without fairness attestation")
    if doc["framework"] in LLM_FRAMEWORKS and not re.search(
        r"\d{8}$|\d{4}-\d{2}-\d{2}$", (doc.get("provider") or {}).get("version", "")
    ):
        problems.append(f"{path}: LLM application without an exact provider pin")
    if path.stem != doc["version"] or path.parent.name != doc["model"]:
        problems.append(f"{path}: file name does not match model/version")
    return problems


def check_time(path: Path, doc: dict[str, Any], parent: dict[str, Any] | None) -> list[str]:
    """created_at within the demo period, after the parent's."""
    moment = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00"))
    problems = [] if EARLIEST <= moment <= NOW else [f"{path}: created_at {doc['created_at']} out of range"]
    if parent is not None and parent["created_at"] >= doc["created_at"]:
        problems.append(f"{path}: created before its parent")
    attested = doc["model_card"]["fairness"].get("attested_at")
    if attested and not doc["created_at"] < attested <= iso(NOW):
        problems.append(f"{path}: attested_at {attested} out of range")
    return problems


def check_lineage(path: Path, doc: dict[str, Any], siblings: dict[str, dict[str, Any]]) -> list[str]:
    """Parent presence, semver order and the bump-kind rule."""
    parent = doc.get("parent")
    if doc["change_kind"] == "initial":
        return [f"{path}: initial version with a parent"] if parent else []
    if parent not in siblings:
        return [f"{path}: parent {parent} is not a registered version"]
    problem = bump_problem(str(doc["version"]), str(parent), doc["change_kind"])
    return [f"{path}: {problem}"] if problem else []


def check_artifacts(path: Path, doc: dict[str, Any]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Problems with artifact files, and the (model, version, name) of every checksum mismatch."""
    problems, mismatches = [], []
    for item in doc.get("artifacts") or []:
        file = path.parent / item["uri"]
        if not file.is_file():
            problems.append(f"{path}: missing artifact file {item['uri']}")
            continue
        content = file.read_bytes()
        if not ARTIFACT_SIZE_RANGE[0] <= item["size"] <= ARTIFACT_SIZE_RANGE[1]:
            problems.append(f"{path}: artifact {item['name']} size {item['size']} outside the demo range")
        if hashlib.sha256(content).hexdigest() != item["sha256"] or len(content) != item["size"]:
            mismatches.append((doc["model"], str(doc["version"]), item["name"]))
    return problems, mismatches


def check_model(versions: dict[str, tuple[Path, dict[str, Any]]]) -> list[str]:
    """Per model: at most one Production version, and any Canary candidate above it."""
    import semver

    stages = {v: doc["stage"] for v, (_, doc) in versions.items()}
    production = [v for v, s in stages.items() if s == PROD]
    problems = (
        [f"{versions[production[0]][0].parent}: {len(production)} Production versions"] if len(production) > 1 else []
    )
    for version, stage in stages.items():
        if stage == CAN and production and semver.Version.parse(version).compare(production[0]) <= 0:
            problems.append(f"{versions[version][0]}: Canary version is not above Production {production[0]}")
    return problems


def check_registry(out: Path, models: set[str]) -> list[str]:
    """registry.yaml: no root user, every model listed, owners are known teams."""
    registry = read_yaml(out / "registry.yaml")
    teams = {t for u in registry["users"] for t in u["teams"]}
    problems = [f"registry.yaml: unknown owner {m['owner']}" for m in registry["models"] if m["owner"] not in teams]
    if any(u["identity"] == "root" for u in registry["users"]):
        problems.append("registry.yaml: must not list root")
    if {m["name"] for m in registry["models"]} != models:
        problems.append("registry.yaml: models do not match models/")
    return problems


def total_size(out: Path) -> int:
    """Total bytes of every file in the fixtures folder."""
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def up_to_date(out: Path) -> bool:
    """Whether regenerating would produce byte-identical files."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "demo"
        generate(fresh, read_inputs(out))
        left = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        right = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
        return left == right and all(filecmp.cmp(out / p, fresh / p, shallow=False) for p in left)


def check(out: Path) -> list[str]:
    """Validate the generated fixtures; returns the problems found (empty when everything holds)."""
    by_model: dict[str, dict[str, tuple[Path, dict[str, Any]]]] = {}
    for path, doc in load_manifests(out):
        by_model.setdefault(doc["model"], {})[str(doc["version"])] = (path, doc)
    problems, mismatches = check_registry(out, set(by_model)), []
    for versions in by_model.values():
        siblings = {v: doc for v, (_, doc) in versions.items()}
        for path, doc in versions.values():
            problems += check_fields(path, doc) + check_lineage(path, doc, siblings)
            problems += check_time(path, doc, siblings.get(str(doc.get("parent"))))
            found, bad = check_artifacts(path, doc)
            problems, mismatches = problems + found, mismatches + bad
        problems += check_model(versions)
    if mismatches != [TAMPERED]:
        problems.append(f"checksum mismatches {mismatches}, expected exactly {[TAMPERED]}")
    tampered_stage = by_model[TAMPERED[0]][TAMPERED[1]][1]["stage"]
    if tampered_stage != ARC:
        problems.append(f"tampered version is {tampered_stage}, expected Archived")
    stages_seen = {doc["stage"] for versions in by_model.values() for _, doc in versions.values()}
    problems += [f"no version in {s}" for s in STAGES if s not in stages_seen]
    count = sum(len(v) for v in by_model.values())
    if count < 70:
        problems.append(f"only {count} versions (need at least 70)")
    if total_size(out) >= MAX_TOTAL_BYTES:
        problems.append(f"fixtures are {total_size(out)} bytes (limit {MAX_TOTAL_BYTES})")
    problems += check_history(out, by_model)
    if not up_to_date(out):
        problems.append("fixtures differ from the generator's output; re-run the generator")
    return problems


def check_history(out: Path, by_model: dict[str, dict[str, tuple[Path, dict[str, Any]]]]) -> list[str]:
    """log.yaml and requests.yaml against the manifests and the policy, and the tampered version's last drill."""
    missing = [name for name in (*INPUTS, "log.yaml", "requests.yaml") if not (out / name).is_file()]
    if missing:
        return [f"missing {name}" for name in missing]
    log = read_yaml(out / "log.yaml")
    requests = read_yaml(out / "requests.yaml")
    policy = load_policy_text(read_inputs(out)["policy.yaml"], str(out / "policy.yaml"))
    manifests = {(name, version): found for name, versions in by_model.items() for version, found in versions.items()}
    problems = demo_history.check_history(log, requests, manifests, policy)
    drill = demo_history.last_drills(log).get(TAMPERED[0])
    if drill is None or drill["details"]["outcome"] != "failed" or "checksum" not in drill["details"]["detail"]:
        problems.append(f"log.yaml: the last drill of {TAMPERED[0]} should fail on the tampered checksum")
    return problems


def read_inputs(out: Path) -> dict[str, str]:
    """The hand-written inputs (policy.yaml, providers.yaml): the output folder's, else the repository's."""
    inputs = {}
    for name in INPUTS:
        found = next((p for p in (out / name, DEFAULT_OUT / name) if p.is_file()), None)
        if found is None:
            raise SystemExit(f"{out / name} is missing: the demo's history is played under it (written by hand)")
        inputs[name] = found.read_text(encoding="utf-8")
    return inputs


def summary(out: Path) -> str:
    """One line with the totals the check saw."""
    docs = [doc for _, doc in load_manifests(out)]
    stages = {s: sum(1 for d in docs if d["stage"] == s) for s in STAGES}
    counts = ", ".join(f"{s} {n}" for s, n in stages.items())
    log = read_yaml(out / "log.yaml") if (out / "log.yaml").is_file() else None
    requests = read_yaml(out / "requests.yaml") if (out / "requests.yaml").is_file() else None
    told = (
        f"; {len(log['entries'])} log entries, {sum(r['status'] == 'open' for r in requests['requests'])} open "
        f"of {len(requests['requests'])} requests"
        if log and requests
        else ""
    )
    return f"{len(docs)} versions of {len({d['model'] for d in docs})} models ({counts}){told}; {total_size(out)} bytes"


def main(argv: list[str] | None = None) -> int:
    """Generate the fixtures, or with --check validate them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures folder (default regtui/data/demo)")
    parser.add_argument("--check", action="store_true", help="validate the fixtures instead of writing them")
    args = parser.parse_args(argv)
    if not args.check:
        generate(args.out, read_inputs(args.out))
        print(f"wrote {args.out}: {summary(args.out)}")
        return 0
    problems = check(args.out)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(("FAILED: " if problems else "ok: ") + summary(args.out))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
