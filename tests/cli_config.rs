//! Profiles, `-X`/`-F` properties and secrets through the real binary: `kbrowse config`'s
//! exact output, and exact one-line errors with exit status 2 before anything connects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use support::kbrowse_env;

/// A config home with `kbrowse/config.toml` holding `toml`.
fn config_home(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("kbrowse")).unwrap();
    std::fs::write(dir.path().join("kbrowse/config.toml"), toml).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const PROFILES: &str = r#"
default = "prod"

[clusters.prod]
brokers = "b1:9093,b2:9093"
security.protocol = "SASL_SSL"
sasl.mechanisms = "SCRAM-SHA-512"
sasl.username = "alice"
sasl.password = "env:PROD_KAFKA_PASSWORD"
ssl.ca.location = "~/certs/ca.pem"

[clusters.oauth]
brokers = "o1:9094"
sasl.mechanism = "OAUTHBEARER"
sasl.oauthbearer.method = "oidc"
sasl.oauthbearer.client.id = "kbrowse"
sasl.oauthbearer.client.secret = "cmd:printf 'cs-%s\n' $SUFFIX"
group.id = "not-ours"
"#;

#[test]
fn config_prints_the_resolved_profile_with_secrets_masked() {
    let home = config_home(PROFILES);
    let file = home.path().join("kbrowse/config.toml");
    let env = [
        ("XDG_CONFIG_HOME", s(home.path())),
        ("HOME", "/home/alice"),
        ("PROD_KAFKA_PASSWORD", "hunter2"),
        ("SUFFIX", "xyz"),
    ];
    let (code, out, err) = kbrowse_env(&["config"], &env);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "profile: prod\n\
             profiles file: {}\n\
             brokers = b1:9093,b2:9093  (profile)\n\
             security.protocol = SASL_SSL  (profile)\n\
             sasl.mechanism = SCRAM-SHA-512  (profile)\n\
             sasl.username = alice  (profile)\n\
             sasl.password = ********  (profile, env:PROD_KAFKA_PASSWORD)\n\
             ssl.ca.location = /home/alice/certs/ca.pem  (profile)\n\
             socket.timeout.ms = 10000  (default)\n",
            file.display()
        )
    );
    assert!(!out.contains("hunter2"));

    // KBROWSE_CLUSTER picks another profile; -X overrides it, --timeout beats -X.
    let mut env2 = env.to_vec();
    env2.push(("KBROWSE_CLUSTER", "oauth"));
    let (code, out, err) = kbrowse_env(
        &[
            "config",
            "-X",
            "sasl.oauthbearer.scope=read",
            "-X",
            "socket.timeout.ms=1500",
            "--timeout",
            "7",
        ],
        &env2,
    );
    assert_eq!(
        (code, err.as_str()),
        (
            0,
            "kbrowse: warning: ignoring property 'group.id': kbrowse does not use it\n"
        )
    );
    assert_eq!(
        out,
        format!(
            "profile: oauth\n\
             profiles file: {}\n\
             brokers = o1:9094  (profile)\n\
             sasl.mechanism = OAUTHBEARER  (profile)\n\
             sasl.oauthbearer.method = oidc  (profile)\n\
             sasl.oauthbearer.client.id = kbrowse  (profile)\n\
             sasl.oauthbearer.client.secret = ********  (profile, cmd:printf 'cs-%s\\n' $SUFFIX)\n\
             sasl.oauthbearer.scope = read  (-X)\n\
             socket.timeout.ms = 7000  (--timeout)\n",
            file.display()
        )
    );
}

#[test]
fn flags_and_property_files_override_the_profile() {
    let home = config_home(PROFILES);
    let props = home.path().join("client.properties");
    std::fs::write(
        &props,
        "# kcat -F style\nbootstrap.servers=f1:9092\n\nsasl.username = bob\nclient.id=from-file\n",
    )
    .unwrap();
    let env = [
        ("XDG_CONFIG_HOME", s(home.path())),
        ("HOME", "/h"),
        ("PROD_KAFKA_PASSWORD", "pw"),
    ];
    let (code, out, err) = kbrowse_env(
        &[
            "--cluster",
            "prod",
            "-F",
            s(&props),
            "-X",
            "client.id=from-x",
            "-b",
            "cli:1",
            "config",
        ],
        &env,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    let f = format!("-F {}", props.display());
    let body: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        body,
        vec![
            "brokers = cli:1  (-b)",
            "security.protocol = SASL_SSL  (profile)",
            "sasl.mechanism = SCRAM-SHA-512  (profile)",
            &format!("sasl.username = bob  ({f})"),
            "sasl.password = ********  (profile, env:PROD_KAFKA_PASSWORD)",
            "ssl.ca.location = /h/certs/ca.pem  (profile)",
            "client.id = from-x  (-X)",
            "socket.timeout.ms = 10000  (default)",
        ]
    );
    // An empty KBROWSE_CLUSTER names no profile: the default applies.
    let mut empty = env.to_vec();
    empty.push(("KBROWSE_CLUSTER", ""));
    let (code, out, err) = kbrowse_env(&["config"], &empty);
    assert_eq!(
        (code, out.lines().next(), err.as_str()),
        (0, Some("profile: prod"), "")
    );
    // -b alone: no profile, so the default profile's credentials stay out of it.
    let (code, out, _) = kbrowse_env(&["-b", "localhost", "config"], &env);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            "profile: none",
            &format!(
                "profiles file: {}",
                home.path().join("kbrowse/config.toml").display()
            ),
            "brokers = localhost:9092  (-b)",
            "socket.timeout.ms = 10000  (default)",
        ]
    );
}

#[test]
fn bad_settings_are_one_line_with_exit_code_2() {
    let home = config_home(PROFILES);
    let file = home.path().join("kbrowse/config.toml");
    let broken = config_home("[clusters.a]\nbrokers = \"a:1\"\nsasl.username = alice\n");
    let bfile = broken.path().join("kbrowse/config.toml");
    let env = [("XDG_CONFIG_HOME", s(home.path())), ("HOME", "/h")];
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, String);
    let cases: Vec<Case> = vec![
        (
            vec!["config", "-X", "sasl.usernme=bob"],
            vec![],
            "kbrowse: -X: unknown property 'sasl.usernme'; did you mean 'sasl.username'?\n".into(),
        ),
        (
            vec!["--cluster", "prd", "config"],
            vec![],
            format!(
                "kbrowse: unknown cluster 'prd'; did you mean 'prod'? (profiles in {}: prod, oauth)\n",
                file.display()
            ),
        ),
        (
            // The default profile's password comes from a variable that is not set.
            vec!["config"],
            vec![],
            format!(
                "kbrowse: {}: cluster 'prod': sasl.password: environment variable PROD_KAFKA_PASSWORD is not set\n",
                file.display()
            ),
        ),
        (
            vec!["-b", "h:1", "-X", "sasl.password=cmd:exit 4", "config"],
            vec![],
            "kbrowse: -X: sasl.password: command 'exit 4': failed with exit status 4\n".into(),
        ),
        (
            vec!["config"],
            vec![("XDG_CONFIG_HOME", s(broken.path()))],
            format!(
                "kbrowse: {}: line 3: string values must be quoted, expected literal string\n",
                bfile.display()
            ),
        ),
        (
            // SASL without a mechanism: librdkafka's default (GSSAPI) is not supported.
            vec![
                "-b",
                "127.0.0.1:1",
                "-X",
                "security.protocol=SASL_SSL",
                "topics",
            ],
            vec![],
            "kbrowse: SASL needs sasl.mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM (librdkafka's default, GSSAPI, is not supported)\n".into(),
        ),
        (
            vec!["-b", "h:1", "-X", "socket.timeout.ms=soon", "topics"],
            vec![],
            "kbrowse: invalid socket.timeout.ms 'soon': expected milliseconds from 10 to 3600000\n"
                .into(),
        ),
    ];
    for (args, extra, want) in cases {
        let mut all = env.to_vec();
        all.extend(extra);
        let (code, out, err) = kbrowse_env(&args, &all);
        assert_eq!((code, out.as_str(), err), (2, "", want), "{args:?}");
    }
}
