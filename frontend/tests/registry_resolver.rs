//! The registry resolver against a real registry: Debian's `docker-registry` on 127.0.0.1,
//! holding an image pushed here (one layer, a config with env, cmd and workdir). The
//! resolver must return that config and the manifest digest, over plain HTTP for a local
//! registry. Set `MSTAGE_SKIP_REGISTRY=1` to skip where `docker-registry` cannot run.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mstage::registry::RegistryResolver;
use mstage_compiler::image::{ImageConfig, Platform};
use mstage_compiler::lower::{ImageResolver, ResolveMode, ResolveRequest};
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

/// Stops the registry we started (by its pid) when the test ends.
struct Registry(Child);

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_registry(port: u16, dir: &std::path::Path) -> Registry {
    let cfg = dir.join("config.yml");
    let mut f = std::fs::File::create(&cfg).unwrap();
    write!(
        f,
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.join("data").display()
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry (Debian package docker-registry) must be installed");
    Registry(child)
}

#[test]
fn resolves_config_and_digest_from_a_local_registry() {
    if std::env::var_os("MSTAGE_SKIP_REGISTRY").is_some() {
        eprintln!("skipped: MSTAGE_SKIP_REGISTRY set");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _registry = start_registry(port, dir.path());
    let host = format!("127.0.0.1:{port}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Wait for the registry to listen.
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(&host).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Push an image made here.
        let config_json = serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Env": ["PATH=/usr/bin:/bin", "APP=demo"],
                "Cmd": ["/app"],
                "WorkingDir": "/srv"
            },
            "rootfs": {"type": "layers", "diff_ids": ["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]},
            "history": [{"created_by": "test"}]
        });
        let config_bytes = serde_json::to_vec(&config_json).unwrap();
        let layer = ImageLayer::oci_v1(vec![0u8; 1024], None);
        let reference: Reference = format!("{host}/mstage/test:v1").parse().unwrap();
        let pusher = Client::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..Default::default()
        });
        let pushed = pusher
            .push(
                &reference,
                &[layer],
                Config::oci_v1(config_bytes.clone(), None),
                &RegistryAuth::Anonymous,
                None,
            )
            .await
            .expect("push to the local registry");
        let manifest_digest = pusher
            .fetch_manifest_digest(&reference, &RegistryAuth::Anonymous)
            .await
            .unwrap();
        assert!(pushed.manifest_url.contains("/mstage/test/manifests/"));

        let resolver = RegistryResolver::default();
        let req = ResolveRequest {
            reference: format!("{host}/mstage/test:v1"),
            platform: Platform::new("linux", "amd64", ""),
            mode: ResolveMode::Default,
            log_name: String::new(),
        };
        let got = resolver.resolve(&req).await.expect("resolve");
        assert_eq!(got.digest.as_deref(), Some(manifest_digest.as_str()));
        let img = ImageConfig::from_json(&got.config).unwrap();
        assert_eq!(img.config.env, vec!["PATH=/usr/bin:/bin", "APP=demo"]);
        assert_eq!(img.config.cmd, Some(vec!["/app".to_string()]));
        assert_eq!(img.config.working_dir, "/srv");

        // A tag that does not exist is an error, not an empty image.
        let missing = ResolveRequest {
            reference: format!("{host}/mstage/test:nope"),
            ..req.clone()
        };
        assert!(resolver.resolve(&missing).await.is_err());
    });
}
