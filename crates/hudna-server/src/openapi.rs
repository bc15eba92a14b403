//! The OpenAPI 3 document of `/api/`, built from one table so that it and
//! the router cannot drift apart unnoticed (a test compares both with
//! [`crate::api::ROUTES`] and calls every route).

use axum::Json;
use serde_json::{json, Map, Value};

struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    params: &'static [(&'static str, &'static str, bool, &'static str)],
    body: Option<&'static str>,
    ok: u16,
    auth: bool,
}

const fn op(method: &'static str, path: &'static str, summary: &'static str) -> Op {
    Op {
        method,
        path,
        summary,
        params: &[],
        body: None,
        ok: 200,
        auth: true,
    }
}

const ID: (&str, &str, bool, &str) = ("id", "path", true, "string");

fn ops() -> Vec<Op> {
    vec![
        Op {
            auth: false,
            ..op(
                "get",
                "/api/health",
                "Liveness; with the credentials of a user who sees unpublished incidents, also the store's counts and how the desk's ingest batches were written",
            )
        },
        op("get", "/api/me", "The authenticated user"),
        Op {
            body: Some("TokenRequest"),
            ok: 201,
            ..op(
                "post",
                "/api/tokens",
                "Issue an API token for yourself (shown once)",
            )
        },
        op("get", "/api/agreements", "Loaded agreements"),
        Op {
            params: &[ID],
            ..op(
                "get",
                "/api/agreements/{id}",
                "One agreement as data (parties, zones, mandate, rules)",
            )
        },
        Op {
            params: &[ID, ("at", "query", false, "date")],
            ..op(
                "get",
                "/api/agreements/{id}/mandate",
                "Mandate status on a day",
            )
        },
        Op {
            params: &[ID],
            ..op(
                "get",
                "/api/agreements/{id}/consents",
                "Consents recorded after loading",
            )
        },
        Op {
            params: &[ID],
            body: Some("ConsentRequest"),
            ok: 201,
            ..op(
                "post",
                "/api/agreements/{id}/consents",
                "Record a consent or objection (liaisons: own party only)",
            )
        },
        Op {
            params: &[
                ("at", "query", false, "date"),
                ("agreement", "query", false, "string"),
            ],
            ..op("get", "/api/zones", "Zones as they stood on a day")
        },
        Op {
            params: &[
                ("lat", "query", true, "number"),
                ("lon", "query", true, "number"),
                ("at", "query", false, "date"),
            ],
            ..op(
                "get",
                "/api/locate",
                "Zones covering a point on a day, border distance, nearest place",
            )
        },
        Op {
            body: Some("ExtractRequest"),
            ..op(
                "post",
                "/api/extract",
                "Extract events from a text (nothing stored)",
            )
        },
        Op {
            body: Some("ReportRequest"),
            ok: 201,
            ..op(
                "post",
                "/api/reports",
                "Submit a report: stored, extracted, merged into incidents, assessed",
            )
        },
        Op {
            params: &[ID],
            ..op(
                "get",
                "/api/reports/{id}",
                "One report with its extraction (not for viewers)",
            )
        },
        Op {
            params: &[
                ("agreement", "query", false, "string"),
                ("zone", "query", false, "string"),
                ("since", "query", false, "date"),
                ("until", "query", false, "date"),
                ("status", "query", false, "string"),
                ("violations", "query", false, "boolean"),
                ("limit", "query", false, "integer"),
                ("offset", "query", false, "integer"),
            ],
            ..op(
                "get",
                "/api/incidents",
                "Incidents, newest first (viewers: published only)",
            )
        },
        Op {
            params: &[ID],
            ..op(
                "get",
                "/api/incidents/{id}",
                "One incident: sources, evidence, assessment, stances, consensus, history",
            )
        },
        Op {
            params: &[ID],
            ..op(
                "get",
                "/api/incidents/{id}/stances",
                "Stances and consensus",
            )
        },
        Op {
            params: &[ID],
            body: Some("StanceRequest"),
            ok: 201,
            ..op(
                "post",
                "/api/incidents/{id}/stances",
                "Record a party's stance (liaisons: own party only)",
            )
        },
        Op {
            params: &[
                ("date", "query", false, "date"),
                ("since", "query", false, "date"),
                ("until", "query", false, "date"),
            ],
            ..op(
                "get",
                "/api/situation-reports",
                "A situation report: a day (date, default yesterday) or a period (since and until) against the period before it; viewers get the published edition",
            )
        },
        Op {
            params: &[("agreement", "query", false, "string")],
            ..op(
                "get",
                "/api/rounds",
                "Rounds of talks in time order with their commitments as they stand",
            )
        },
        Op {
            params: &[ID, ("commitment", "path", true, "string")],
            body: Some("FollowupRequest"),
            ok: 201,
            ..op(
                "post",
                "/api/agreements/{id}/commitments/{commitment}/followups",
                "Record a commitment's follow-up (analysts and admins)",
            )
        },
        Op {
            params: &[
                ("format", "query", false, "string"),
                ("agreement", "query", false, "string"),
                ("zone", "query", false, "string"),
                ("since", "query", false, "date"),
                ("until", "query", false, "date"),
                ("status", "query", false, "string"),
                ("violations", "query", false, "boolean"),
                ("published", "query", false, "boolean"),
            ],
            ..op(
                "get",
                "/api/exports/incidents",
                "Every matching incident as acled-csv (with the HXL row), geojson (RFC 7946) or jsonl (re-imports without loss; the default); viewers: published only",
            )
        },
        Op {
            params: &[("at", "query", false, "date")],
            ..op(
                "get",
                "/api/exports/zones",
                "Zones, security zones and posts as they stood on a day (GeoJSON)",
            )
        },
        Op {
            params: &[("kind", "path", true, "string")],
            ..op(
                "post",
                "/api/imports/{kind}",
                "Import a jsonl export or an ACLED CSV (kind = jsonl | acled-csv; the body is the file; analysts and admins)",
            )
        },
        Op {
            auth: false,
            ..op("get", "/api/openapi.json", "This document")
        },
    ]
}

fn schema(kind: &str) -> Value {
    match kind {
        "date" => json!({"type": "string", "format": "date"}),
        "number" => json!({"type": "number"}),
        "integer" => json!({"type": "integer", "minimum": 0}),
        "boolean" => json!({"type": "boolean"}),
        _ => json!({"type": "string"}),
    }
}

fn error_codes() -> Value {
    json!([
        "unauthenticated",
        "invalid_token",
        "bad_authorization",
        "bad_credentials",
        "login_throttled",
        "csrf_missing",
        "csrf_mismatch",
        "forbidden_party",
        "forbidden_role",
        "bad_input",
        "bad_id",
        "bad_date",
        "date_out_of_range",
        "date_in_future",
        "bad_range",
        "bad_query",
        "bad_status",
        "bad_paging",
        "bad_position",
        "bad_decision",
        "bad_period",
        "bad_format",
        "import_not_found",
        "period_too_long",
        "bad_lang",
        "commitment_not_found",
        "unavailable",
        "bad_coordinate",
        "coordinate_out_of_range",
        "missing_parameter",
        "missing_party",
        "empty_text",
        "binary_text",
        "malformed_json",
        "invalid_body",
        "bad_body",
        "unsupported_media_type",
        "payload_too_large",
        "not_found",
        "route_not_found",
        "incident_not_found",
        "report_not_found",
        "agreement_not_found",
        "method_not_allowed",
        "conflict",
        "refused",
        "not_a_party",
        "report_rejected",
        "invalid_definition",
        "database_locked",
        "shutting_down",
        "internal"
    ])
}

/// The document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for o in ops() {
        let params: Vec<Value> = o
            .params
            .iter()
            .map(|(name, at, req, kind)| json!({"name": name, "in": at, "required": req, "schema": schema(kind)}))
            .collect();
        let mut operation = json!({
            "summary": o.summary,
            "operationId": format!("{}_{}", o.method, o.path.trim_start_matches("/api/").replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": {
                o.ok.to_string(): {"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}},
                "default": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Some(b) = o.body {
            operation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{b}")}}}});
        }
        if !o.auth {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Hudna API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Monitoring de-escalation and ceasefire agreements. Authenticate with `Authorization: Bearer TOKEN` (issue one with POST /api/tokens or `hudna user token`), or a desk session (writes then need `X-CSRF-Token`). Errors are `{\"error\": {\"code\", \"message\"}}` with stable snake_case codes."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "hudna_session"}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string", "enum": error_codes()}, "message": {"type": "string"}}}}},
                "TokenRequest": {"type": "object", "properties": {"label": {"type": "string"}}, "additionalProperties": false},
                "ConsentRequest": {"type": "object", "required": ["party", "extension", "decision"], "additionalProperties": false, "properties": {
                    "party": {"type": "string"}, "extension": {"type": "integer", "minimum": 1}, "decision": {"type": "string", "enum": ["grant", "object"]},
                    "date": {"type": "string", "format": "date"}, "note": {"type": "string"}}},
                "ExtractRequest": {"type": "object", "required": ["text"], "additionalProperties": false, "properties": {
                    "text": {"type": "string"}, "published": {"type": "string", "format": "date"}}},
                "ReportRequest": {"type": "object", "required": ["text"], "additionalProperties": false, "properties": {
                    "text": {"type": "string"}, "source": {"type": "string"}, "published": {"type": "string", "format": "date"},
                    "url": {"type": "string"}, "outlet": {"type": "string"}}},
                "FollowupRequest": {"type": "object", "required": ["status"], "additionalProperties": false, "properties": {
                    "status": {"type": "string", "enum": ["open", "met", "missed", "postponed"]}, "date": {"type": "string", "format": "date"},
                    "settled_by": {"type": "string", "description": "a round id or a document"}, "evidence": {"type": "string"}}},
                "StanceRequest": {"type": "object", "required": ["agreement", "position"], "additionalProperties": false, "properties": {
                    "agreement": {"type": "string"}, "party": {"type": "string", "description": "default: the caller's party"},
                    "position": {"type": "string", "enum": ["confirm", "dispute", "abstain"]}, "comment": {"type": "string"}}}
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
