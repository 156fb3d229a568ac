//! `guestlist demo` is a newcomer's first command: it must run on a bare machine and tell the story.

#[test]
fn demo_plays_a_request_a_refusal_and_an_approval() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
        .arg("demo")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "Slack opens the form \"Request a guest\"",
        "response_action: update",
        "== Guest request #1 ==",
        "[Approve] [Approve with changes] [Deny]",
        "DM to Rita: Your request *#1*",
        "Only Oscar sees: Only approvers can decide",
        "The card is unchanged (0 updates)",
        "Approved by @Ada",
        "In the card's thread: :white_check_mark: Approved by @Ada.",
        "refused_approve",
        "Demo finished.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    let after_approval = stdout.split("4. Ada").nth(1).unwrap();
    assert!(
        !after_approval.contains("[Approve]"),
        "the updated card has no buttons"
    );
    assert!(
        stdout.contains("Joint launch <!channel> & review"),
        "user text is shown as typed (Slack gets it escaped)"
    );
}
