//! The audit downloads: who may export, the export verifies offline with the public key (also
//! through `tenure audit verify FILE`), and one changed byte is caught.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn an_auditor_exports_the_trail_and_the_cli_verifies_it_offline() {
    let app = spawn_app().await;
    let aldo = app.browser_as("aldo", &["auditor"]).await;
    let rita = app.browser_as("rita", &["reviewer"]).await;
    let page = app.get(&aldo, "/audit").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Export the whole chain") && page.contains(&app.state.audit.key_id()));
    assert_eq!(app.get(&rita, "/audit").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&rita, "/audit/export.jsonl").await.status(), StatusCode::FORBIDDEN);
    let anon = crate::common::Browser { cookie: None };
    assert!(location(&app.get(&anon, "/audit/export.jsonl").await).starts_with("/login"));
    let bad = app.get(&aldo, "/audit/export.jsonl?since=yesterday").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().starts_with("since:"));

    let res = app.get(&aldo, "/audit/export.jsonl").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let body = res.text().await.unwrap();
    let key = app.get(&aldo, "/audit/public-key").await.text().await.unwrap();
    assert_eq!(key.trim(), app.state.audit.public_key_hex());
    let lines: Vec<String> = body.lines().map(str::to_owned).collect();
    assert!(lines.len() > 5, "sign-ins and user changes are on the trail");
    assert!(lines.last().unwrap().contains("audit.exported") && lines.last().unwrap().contains("aldo"));

    let dir = std::env::temp_dir().join(format!("tenure-export-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, keyfile) = (dir.join("export.jsonl"), dir.join("key.pub"));
    std::fs::write(&file, &body).unwrap();
    std::fs::write(&keyfile, &key).unwrap();
    let verify = |f: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tenure"))
            .args(["audit", "verify"])
            .arg(f)
            .arg("--public-key")
            .arg(&keyfile)
            .output()
            .unwrap()
    };
    let ok = verify(&file);
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success() && said.contains("export intact"), "{said}");
    // One byte changed in the middle of a record.
    let mut bytes = body.into_bytes();
    let at = bytes.iter().rposition(|b| *b == b'"').unwrap() - 3;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    std::fs::write(&file, &bytes).unwrap();
    let broken = verify(&file);
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(!broken.status.success() && said.contains("export BROKEN"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);

    // The same trail as CSV, for spreadsheets: a header, every field, recorded as an export.
    let csv = app.get(&aldo, "/audit/export.csv?kind=audit.exported").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let mut rows = text.lines();
    assert_eq!(
        rows.next(),
        Some(
            "seq,recorded_at,actor_kind,actor_id,actor_name,kind,subject_kind,subject_id,summary,details,prev_hash,hash"
        )
    );
    assert_eq!(rows.filter(|l| l.contains(",audit.exported,")).count(), 2, "both exports are on record: {text}");
}

/// The export form's fields: the format and an empty filter, with some fields set.
fn export_form<'a>(format: &'a str, set: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("format", format)];
    for f in ["text", "agent", "capability", "actor", "kind", "outcome", "since", "until"] {
        form.push((f, set.iter().find(|(k, _)| *k == f).map_or("", |(_, v)| *v)));
    }
    form
}

/// Opens an export's page until its file is ready; returns the last page.
async fn wait_ready(app: &crate::common::TestApp, b: &crate::common::Browser, page: &str) -> String {
    for _ in 0..200 {
        let html = app.get(b, page).await.text().await.unwrap();
        if !html.contains(r#"data-status="preparing""#) {
            return html;
        }
        assert!(html.contains(r#"http-equiv="refresh""#), "a preparing export reloads itself");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("export {page} never got ready");
}

#[tokio::test]
async fn exports_started_from_the_page_show_progress_and_a_csv_comes_with_its_manifest() {
    let app = spawn_app().await;
    let mut aldo = app.browser_as("aldo", &["auditor"]).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let start = "/api/audit/exports/start";
    assert_eq!(app.post_api(&mut rita, start, &export_form("csv", &[])).await.status(), StatusCode::FORBIDDEN);
    let bad = app.post_form(&mut aldo, start, &export_form("xlsx", &[])).await;
    let back = location(&bad);
    let back = back.strip_prefix(&app.base).unwrap_or(&back);
    assert!(back.starts_with("/audit?") && back.contains("__err="), "back to the form with the error: {back}");
    let shown = app.get(&aldo, back).await.text().await.unwrap();
    assert!(shown.contains("is not an export format"), "the page says why: {shown}");
    let bad = app.post_api(&mut aldo, start, &export_form("jsonl", &[("until", "soon")])).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("until"));

    let res = app.post_form(&mut aldo, start, &export_form("csv", &[])).await;
    let page = location(&res);
    assert!(page.starts_with("/audit/exports/"), "opens the export's page: {page}");
    let id = page.rsplit('/').next().unwrap().to_owned();
    let html = wait_ready(&app, &aldo, &page).await;
    assert!(html.contains(r#"data-status="ready""#) && html.contains("Download the manifest"), "{html}");
    assert!(!html.contains(r#"http-equiv="refresh""#), "a ready export stays put");
    assert!(html.contains("every record") && html.contains("signed with key"));
    for path in [page.clone(), format!("{page}/file"), format!("{page}/manifest.json")] {
        assert_eq!(app.get(&rita, &path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.get(&aldo, "/audit/exports/9999/file").await.status(), StatusCode::NOT_FOUND);

    let file = app.get(&aldo, &format!("{page}/file")).await;
    assert_eq!(file.status(), StatusCode::OK);
    let length: usize = file.headers()["content-length"].to_str().unwrap().parse().unwrap();
    let csv = file.text().await.unwrap();
    assert_eq!(csv.len(), length, "a prepared file is sent with its size");
    assert!(csv.starts_with("seq,recorded_at,"));
    let manifest = app.get(&aldo, &format!("{page}/manifest.json")).await.text().await.unwrap();
    assert!(manifest.starts_with(r#"{"manifest":"#));
    let listed = app.get(&aldo, "/audit").await.text().await.unwrap();
    assert!(listed.contains("Recent exports") && listed.contains(&format!(r#"href="/audit/exports/{id}""#)));

    // The CLI verifies the CSV against its manifest, and catches one changed byte.
    let dir = std::env::temp_dir().join(format!("tenure-csv-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (f, m, k) = (dir.join("export.csv"), dir.join("export.manifest.json"), dir.join("key.pub"));
    std::fs::write(&f, &csv).unwrap();
    std::fs::write(&m, &manifest).unwrap();
    std::fs::write(&k, app.state.audit.public_key_hex()).unwrap();
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tenure"))
            .args(["audit", "verify"])
            .arg(&f)
            .arg("--public-key")
            .arg(&k)
            .arg("--manifest")
            .arg(&m)
            .output()
            .unwrap()
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    std::fs::write(&f, csv.replacen("aldo", "aldx", 1)).unwrap();
    let broken = verify();
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(!broken.status.success() && said.contains("export BROKEN"), "{said}");

    // Without the file on this server (tidied away, or prepared by another instance) the same
    // bytes are streamed again from the database.
    std::fs::remove_dir_all(app.state.audit.exports_dir()).unwrap();
    let again = app.get(&aldo, &format!("{page}/file")).await.text().await.unwrap();
    assert_eq!(again, csv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn records_about_an_agent_name_it() {
    let app = spawn_app().await;
    let (agent_id, _) = app.agent_with_grant("refund-bot", "finance.refund.issue", "observer").await;
    let aldo = app.browser_as("aldo", &["auditor"]).await;
    let list = app.get(&aldo, "/audit?kind=grant.created").await.text().await.unwrap();
    assert!(list.contains(&format!("agent refund-bot (#{agent_id})")), "the list names the agent");
    let seq = list.split(r#"href="/audit/records/"#).nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let record = app.get(&aldo, &format!("/audit/records/{seq}")).await.text().await.unwrap();
    assert!(record.contains(&format!(r#"data-testid="subject">agent refund-bot (#{agent_id})"#)), "so does the record");
}
