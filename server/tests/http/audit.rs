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
