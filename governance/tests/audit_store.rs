//! The evidence trail against real databases: append-only at the database, tampering of every
//! kind found by verification (with signed checkpoints catching a cut tail), and exports that
//! verify offline — and stop verifying after one changed byte.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use governance::evidence::{Actor, Draft};
use governance::export::{ExportFilter, ExportFormat, manifest_line, record_line, verify_csv, verify_lines};
use governance::principal::AsAuditor;
use governance::service::accounts::ThrottlePolicy;
use governance::service::audit::{Audit, LiveCheck, Signer};
use governance::service::exports::ExportStatus;
use governance::store::evidence;
use governance::{Accounts, Store};
use migrations::MigratorTrait;
use sea_orm::{ConnectionTrait, DbBackend};

const KEY: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

async fn records(store: &Store, n: usize) {
    for i in 0..n {
        let txn = store.begin_write().await.unwrap();
        let draft = Draft {
            actor: Actor::system("test"),
            kind: "test.event",
            subject_kind: "test",
            subject_id: i.to_string(),
            summary: format!("event number {i}"),
            details: serde_json::json!({"i": i}),
        };
        evidence::append(&txn, &draft).await.unwrap();
        txn.commit().await.unwrap();
    }
}

fn audit(store: &Store) -> Audit {
    let dir = std::env::temp_dir().join(format!("tenure-exports-{}", uuid::Uuid::new_v4()));
    Audit::new(store.clone(), Signer::from_hex(KEY).unwrap(), dir)
}

/// Aldo, an auditor who has signed in and chosen his password.
async fn auditor(store: &Store) -> AsAuditor {
    let acc = Accounts::new(store.clone(), ThrottlePolicy::default());
    let (_, temp) = acc.add_user_cli("aldo", &["auditor".into()]).await.unwrap();
    let p = acc.login("aldo", &temp, "t").await.unwrap();
    acc.change_own_password(&p, &temp, "aldo's own password", "aldo's own password").await.unwrap();
    acc.principal(p.user_id).await.unwrap().unwrap().as_auditor().unwrap()
}

/// What an attacker with database access does first.
async fn drop_guards(store: &Store) {
    let sql: &[&str] = match store.backend() {
        DbBackend::Postgres => &["ALTER TABLE evidence DISABLE TRIGGER evidence_append_only"],
        _ => &["DROP TRIGGER evidence_no_update", "DROP TRIGGER evidence_no_delete"],
    };
    for s in sql {
        store.db().execute_unprepared(s).await.unwrap();
    }
}

async fn tampered(sql: &[&str]) -> Vec<(String, LiveCheck)> {
    let mut out = Vec::new();
    for db in common::backends().await {
        records(&db.store, 12).await;
        let a = audit(&db.store);
        a.checkpoint_now().await.unwrap();
        assert!(matches!(a.verify_live().await.unwrap(), LiveCheck::Intact { records: 12, checkpoints: 1 }));
        drop_guards(&db.store).await;
        for s in sql {
            db.store.db().execute_unprepared(s).await.unwrap();
        }
        out.push((db.name.to_owned(), a.verify_live().await.unwrap()));
        db.cleanup().await;
    }
    out
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes_of_evidence() {
    for db in common::backends().await {
        records(&db.store, 3).await;
        for sql in ["UPDATE evidence SET summary = 'nothing' WHERE seq = 2", "DELETE FROM evidence WHERE seq = 3"] {
            let err = db.store.db().execute_unprepared(sql).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{}: {err}", db.name);
        }
        assert_eq!(db.store.evidence_count().await.unwrap(), 3);
        db.cleanup().await;
    }
}

/// Migration 15 rebuilds SQLite's evidence table (and drops a constraint on PostgreSQL): the
/// records, their chain, the append-only guard and the full-text feed all come through.
#[tokio::test]
async fn the_trail_survives_the_hash_index_migration() {
    let all = migrations::Migrator::migrations();
    let before_15 = all.iter().position(|m| m.name() == "m20261127_000015_evidence_hash_not_unique").unwrap() as u32;
    let from_15 = all.len() as u32 - before_15;
    for db in common::backends_migrated(Some(before_15)).await {
        records(&db.store, 5).await;
        let before = db.store.recent_evidence(10).await.unwrap();
        migrations::Migrator::up(db.store.db(), None).await.unwrap();
        assert_eq!(db.store.recent_evidence(10).await.unwrap(), before, "{}: records unchanged", db.name);
        assert_eq!(db.store.verify_evidence().await.unwrap(), Ok(5), "{}", db.name);
        let err = db.store.db().execute_unprepared("DELETE FROM evidence WHERE seq = 5").await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{}: {err}", db.name);
        // Appends still chain on, and the full-text index still takes them in.
        records(&db.store, 1).await;
        assert_eq!(db.store.verify_evidence().await.unwrap(), Ok(6), "{}", db.name);
        let f = ExportFilter { text: Some("event number 0".into()), ..ExportFilter::default() };
        let found: Vec<i64> = db.store.search_evidence(&f, None, 10).await.unwrap().iter().map(|r| r.seq).collect();
        assert_eq!(found, vec![6, 1], "{}", db.name);
        // And back down: the constraint returns with the records.
        migrations::Migrator::down(db.store.db(), Some(from_15)).await.unwrap();
        assert_eq!(db.store.verify_evidence().await.unwrap(), Ok(6), "{}", db.name);
        let dup = "INSERT INTO evidence (seq, recorded_at, actor_kind, actor_name, kind, subject_kind, subject_id, \
                   summary, details, prev_hash, hash) SELECT 7, recorded_at, actor_kind, actor_name, kind, \
                   subject_kind, subject_id, summary, details, hash, hash FROM evidence WHERE seq = 6";
        let err = db.store.db().execute_unprepared(dup).await.unwrap_err().to_string();
        assert!(err.to_lowercase().contains("unique"), "{}: hash unique again: {err}", db.name);
        db.cleanup().await;
    }
}

#[test]
fn no_code_path_updates_or_deletes_evidence() {
    // The store is the only code that touches the table; none of it may change a record.
    let mut offenders = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for bad in
                    ["evidence::Entity::update", "evidence::Entity::delete", "UPDATE evidence", "DELETE FROM evidence"]
                {
                    if text.contains(bad) {
                        offenders.push(format!("{}: {bad}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[tokio::test]
async fn an_edited_record_is_named() {
    for (name, found) in tampered(&["UPDATE evidence SET summary = 'nothing to see' WHERE seq = 5"]).await {
        match found {
            LiveCheck::Broken(b) => assert_eq!((b.seq, b.reason.contains("contents")), (5, true), "{name}: {b:?}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_deleted_record_is_named() {
    for (name, found) in tampered(&["DELETE FROM evidence WHERE seq = 7"]).await {
        match found {
            LiveCheck::Broken(b) => assert_eq!(b.seq, 8, "{name}: the record after the gap: {b:?}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_inserted_record_is_named() {
    // Renumber the tail to make room, then forge a record in the gap.
    let sql = [
        "UPDATE evidence SET seq = seq + 100 WHERE seq >= 6",
        "INSERT INTO evidence (seq, recorded_at, actor_kind, actor_id, actor_name, kind, subject_kind, subject_id, summary, details, prev_hash, hash) \
         SELECT 6, recorded_at, actor_kind, actor_id, actor_name, kind, subject_kind, subject_id, 'forged', details, hash, 'ffff' FROM evidence WHERE seq = 5",
        "UPDATE evidence SET seq = seq - 99 WHERE seq >= 106",
    ];
    for (name, found) in tampered(&sql).await {
        match found {
            LiveCheck::Broken(b) => assert_eq!(b.seq, 6, "{name}: {b:?}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn reordered_records_are_named() {
    // Swap the contents of records 3 and 4 (keeping their numbers).
    let sql = [
        "UPDATE evidence SET seq = 1003 WHERE seq = 3",
        "UPDATE evidence SET seq = 3 WHERE seq = 4",
        "UPDATE evidence SET seq = 4 WHERE seq = 1003",
    ];
    for (name, found) in tampered(&sql).await {
        match found {
            LiveCheck::Broken(b) => assert_eq!(b.seq, 3, "{name}: {b:?}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_cut_tail_is_caught_by_the_signed_checkpoint() {
    // Deleting the newest records leaves a chain that links perfectly — only the checkpoint knows.
    for (name, found) in tampered(&["DELETE FROM evidence WHERE seq >= 10"]).await {
        match found {
            LiveCheck::Checkpoint(why) => assert!(why.contains("record 12 is gone"), "{name}: {why}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_export_verifies_offline_and_fails_after_one_changed_byte() {
    for db in common::backends().await {
        let aldo = auditor(&db.store).await;
        records(&db.store, 25).await;
        let a = audit(&db.store);
        let plan = a.start_export(&aldo, ExportFilter::default(), ExportFormat::Jsonl).await.unwrap();
        let mut lines = vec![manifest_line(&plan.manifest)];
        let mut after = 0;
        loop {
            let page = a.export_page(&plan, after, 7).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.seq;
            lines.extend(page.iter().map(record_line));
        }
        let public = governance::checkpoint::public_from_hex(&a.public_key_hex()).unwrap();
        let check = |lines: &[String]| verify_lines(lines.iter().map(|l| Ok::<_, String>(l.clone())), &public);
        let ok = check(&lines).unwrap();
        assert!(ok.chain_complete, "{}", db.name);
        assert_eq!(ok.count, plan.manifest.count);
        assert!(lines.last().unwrap().contains("audit.exported"), "the export records itself");
        let mut one_byte = lines.clone();
        one_byte[10] = one_byte[10].replacen("event number", "event numbet", 1);
        assert!(check(&one_byte).unwrap_err().contains("does not match its contents"), "{}", db.name);
        let filtered = a
            .start_export(
                &aldo,
                ExportFilter { kind: Some("audit.exported".into()), ..ExportFilter::default() },
                ExportFormat::Csv,
            )
            .await
            .unwrap();
        assert_eq!(filtered.manifest.count, 2, "both exports are on record");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn prepared_exports_show_progress_and_their_files_verify() {
    for db in common::backends().await {
        let aldo = auditor(&db.store).await;
        // More than one page, so progress is reported along the way.
        records(&db.store, 1200).await;
        let a = audit(&db.store);
        let public = governance::checkpoint::public_from_hex(&a.public_key_hex()).unwrap();
        for format in [ExportFormat::Jsonl, ExportFormat::Csv] {
            let id = a.prepare_export(&aldo, ExportFilter::default(), format).await.unwrap();
            let mut seen = Vec::new();
            let job = loop {
                let job = a.export_job(&aldo, id).await.unwrap();
                seen.push(job.written);
                if job.status != ExportStatus::Preparing {
                    break job;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            };
            assert_eq!(job.status, ExportStatus::Ready, "{}: {:?}", db.name, job.error);
            let told = db.store.events_of_kind(governance::notify::EventKind::ExportFinished, 10).await.unwrap();
            assert_eq!(told[0].subject, format!("export:{id}"), "{}: announced when ready", db.name);
            assert_eq!((job.written, job.total, job.percent()), (job.total, job.manifest.count as i64, 100));
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only moves forward: {seen:?}");
            let path = a.export_file(&job).expect("the file is kept");
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(bytes.len() as i64, job.bytes);
            assert_eq!(
                job.sha256.as_deref(),
                Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)).as_str())
            );
            let text = String::from_utf8(bytes).unwrap();
            let verified = match format {
                ExportFormat::Jsonl => {
                    assert!(text.starts_with(&job.manifest_text), "the manifest is the first line");
                    verify_lines(text.lines().map(|l| Ok::<_, String>(l.to_owned())), &public)
                }
                ExportFormat::Csv => verify_csv(text.as_bytes(), &job.manifest_text, &public),
            }
            .unwrap();
            assert!(verified.chain_complete && verified.count == job.manifest.count, "{}: {verified:?}", db.name);
            // Streaming the plan again (as a download does) gives the same file, whatever was added since.
            records(&db.store, 3).await;
            let mut again = governance::service::audit::Audit::first_line(format, &job.manifest_text);
            let mut after = 0;
            while let Some(chunk) = a.export_chunk(&job.plan(), format, after).await.unwrap() {
                after = chunk.last_seq;
                again.push_str(&chunk.text);
            }
            assert_eq!(again, text, "{}: streaming again gives the same bytes", db.name);
        }
        let listed = a.recent_exports(&aldo, 10).await.unwrap();
        assert_eq!(listed.iter().map(|e| e.format).collect::<Vec<_>>(), [ExportFormat::Csv, ExportFormat::Jsonl]);
        // An export whose server stopped is failed by the tidy-up, not left preparing forever.
        let stuck = db
            .store
            .insert_export(
                governance::store::exports::NewExport {
                    requested_by: "aldo",
                    format: "jsonl",
                    manifest: &listed[0].manifest_text,
                    last_seq: 1,
                    total: 1,
                },
                governance::clock::now() - chrono::Duration::minutes(5),
            )
            .await
            .unwrap();
        assert_eq!(a.tidy_exports(24).await.unwrap().0, 1);
        let failed = a.export_job(&aldo, stuck).await.unwrap();
        assert_eq!(failed.status, ExportStatus::Failed);
        assert!(failed.error.unwrap().contains("start it again"));
        assert_eq!(a.tidy_exports(24).await.unwrap().0, 0, "once");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn search_finds_phrases_and_filters_newest_first_page_by_page() {
    for db in common::backends().await {
        let aldo = auditor(&db.store).await;
        for i in 0..30 {
            let txn = db.store.begin_write().await.unwrap();
            let reasoning =
                if i == 17 { "the customer was charged twice by the aardvark gateway" } else { "routine refund" };
            let draft = Draft {
                actor: Actor { kind: "agent".into(), id: Some(100 + i % 2), name: format!("bot-{}", i % 2) },
                kind: "action.decided",
                subject_kind: "action",
                subject_id: i.to_string(),
                summary: format!("bot asked to refund order {i}"),
                details: serde_json::json!({
                    "capability": if i % 3 == 0 { "finance.report.generate" } else { "finance.refund.issue" },
                    "decision": if i % 5 == 0 { "needs_approval" } else { "allowed" },
                    "reasoning": reasoning,
                }),
            };
            evidence::append(&txn, &draft).await.unwrap();
            txn.commit().await.unwrap();
        }
        let a = audit(&db.store);
        let search = |f: ExportFilter, before: Option<i64>| {
            let (a, aldo) = (&a, &aldo);
            async move { a.search(aldo, &f, before, 10).await.unwrap() }
        };
        let text = |t: &str| ExportFilter { text: Some(t.into()), ..ExportFilter::default() };
        let (rows, more) = search(text("charged twice by the aardvark"), None).await;
        assert_eq!((rows.len(), more), (1, false), "{}", db.name);
        assert_eq!(rows[0].subject_id, "17");
        // Several words: records holding all of them, in any order; quoted: the phrase.
        assert_eq!(search(text("aardvark charged"), None).await.0.len(), 1, "{}: all the words, any order", db.name);
        assert_eq!(search(text("aardvark  customer TWICE"), None).await.0.len(), 1, "{}", db.name);
        assert!(search(text("aardvark unicorn"), None).await.0.is_empty(), "{}: every word must be there", db.name);
        assert!(search(text("\"aardvark charged\""), None).await.0.is_empty(), "{}: a phrase in its order", db.name);
        assert_eq!(search(text("\"charged twice\" gateway"), None).await.0.len(), 1, "{}", db.name);
        assert_eq!(search(text("cats or dogs"), None).await.0.len(), 0, "{}: 'or' is a word", db.name);
        // How many match, and what there is to choose from.
        let count = |f: ExportFilter| {
            let (a, aldo) = (&a, &aldo);
            async move { a.count(aldo, &f).await.unwrap() }
        };
        assert_eq!(count(text("routine refund")).await.count, 29, "{}", db.name);
        assert_eq!(count(text("aardvark")).await.count, 1);
        let (kinds, outcomes) = a.choices(&aldo).await.unwrap();
        assert!(kinds.contains(&"action.decided".to_owned()) && kinds.windows(2).all(|w| w[0] < w[1]), "{kinds:?}");
        assert_eq!(outcomes, ["allowed", "needs_approval"], "{}", db.name);
        let combined = ExportFilter {
            kind: Some("action.decided".into()),
            actor: Some("bot-1".into()),
            text: Some("aardvark".into()),
            ..ExportFilter::default()
        };
        assert_eq!(search(combined, Some(1000)).await.0.len(), 1, "{}: text with other filters", db.name);
        assert!(search(text("\"); DROP TABLE evidence; --"), None).await.0.is_empty(), "any text is a safe query");
        // Newest first, ten at a time, continuing below the last one shown.
        let all = ExportFilter { kind: Some("action.decided".into()), ..ExportFilter::default() };
        let (first, more) = search(all.clone(), None).await;
        assert!(more && first.len() == 10 && first[0].seq > first[9].seq, "{}", db.name);
        let (second, _) = search(all.clone(), Some(first[9].seq)).await;
        assert_eq!(second[0].seq, first[9].seq - 1);
        let by_agent = ExportFilter { agent_id: Some(101), ..all.clone() };
        assert_eq!(search(by_agent, None).await.0.len(), 10);
        let reports = ExportFilter { capability: Some("finance.report.generate".into()), ..all.clone() };
        let (r, more) = search(reports, None).await;
        assert_eq!((r.len(), more), (10, false), "{}", db.name);
        let pending = ExportFilter { outcome: Some("needs_approval".into()), actor: Some("bot-0".into()), ..all };
        assert_eq!(search(pending, None).await.0.len(), 3, "{}", db.name);
        let too_long = ExportFilter { text: Some("x".repeat(201)), ..ExportFilter::default() };
        assert!(matches!(
            a.search(&aldo, &too_long, None, 10).await,
            Err(governance::GovError::Invalid { field: "text", .. })
        ));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn common_and_rare_words_both_come_back_newest_first() {
    // Over a thousand matches switches the search from collecting matches to walking records.
    for db in common::backends().await {
        let txn = db.store.begin_write().await.unwrap();
        evidence::lock(&txn).await.unwrap();
        let mut head = evidence::head(&txn).await.unwrap();
        for i in 0..1300 {
            let draft = Draft {
                actor: Actor::system("test"),
                kind: "test.event",
                subject_kind: "test",
                subject_id: i.to_string(),
                summary: format!("{} event {i}", if i == 640 { "wombat" } else { "ordinary" }),
                details: serde_json::json!({"i": i}),
            };
            let r = evidence::append_after(&txn, &draft, &head).await.unwrap();
            head = (r.seq, r.hash);
        }
        txn.commit().await.unwrap();
        let aldo = auditor(&db.store).await;
        let a = audit(&db.store);
        let text = |t: &str| ExportFilter { text: Some(t.into()), ..ExportFilter::default() };
        let (common, more) = a.search(&aldo, &text("ordinary event"), None, 10).await.unwrap();
        assert!(more, "{}", db.name);
        let seqs: Vec<i64> = common.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1291..=1300).rev().collect::<Vec<i64>>(), "{}: the newest ten", db.name);
        let (next, _) = a.search(&aldo, &text("ordinary event"), Some(1291), 10).await.unwrap();
        assert_eq!(next[0].seq, 1290);
        let (rare, more) = a.search(&aldo, &text("wombat"), None, 10).await.unwrap();
        assert_eq!((rare.len(), rare[0].subject_id.as_str(), more), (1, "640", false), "{}", db.name);
        db.cleanup().await;
    }
}
