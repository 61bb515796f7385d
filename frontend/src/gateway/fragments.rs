//! `INCLUDE` fragments read from the `dockerfile` local, the way the Dockerfile itself is
//! read: a local source following only the files asked for, solved, then `ReadFile`.

use mstage_compiler::include::{FragmentReader, Fragments};
use mstage_compiler::lower::BoxFuture;

use super::inputs::{read_file, small_local, solve, LoadedDockerfile, ServerCaps};
use super::options::FrontendOptions;
use super::transport::Client;

/// Reads fragments next to the Dockerfile, one local source per batch (one per nesting
/// level), so the client sends only the files the build includes.
pub struct GatewayFragments<'a> {
    pub client: Client,
    pub opts: &'a FrontendOptions,
    pub caps: &'a ServerCaps,
    pub df: &'a LoadedDockerfile,
}

impl GatewayFragments<'_> {
    /// The local's path of a fragment (paths are relative to the Dockerfile's directory).
    fn local_path(&self, path: &str) -> String {
        mstage_compiler::include::display_name(&self.df.name, path)
    }

    async fn read_batch(&self, paths: &[String]) -> Fragments {
        let follow: Vec<String> = paths.iter().map(|p| self.local_path(p)).collect();
        let def = match small_local(
            &self.df.local_name,
            follow,
            &self.df.local_name,
            format!("[internal] load INCLUDE fragments of {}", self.df.name),
            self.opts,
            self.caps,
        ) {
            Ok(def) => def,
            Err(_) => return Fragments::new(),
        };
        let mut client = self.client.clone();
        let Ok(r) = solve(&mut client, self.caps, def).await else {
            return Fragments::new();
        };
        let reads = paths.iter().map(|p| {
            let mut c = self.client.clone();
            let r = r.clone();
            async move { (p.clone(), read_file(&mut c, &r, &self.local_path(p)).await) }
        });
        futures::future::join_all(reads)
            .await
            .into_iter()
            .filter_map(|(p, data)| Some((p, data.ok()?)))
            .collect()
    }
}

impl FragmentReader for GatewayFragments<'_> {
    fn read<'a>(&'a self, paths: &'a [String]) -> BoxFuture<'a, Fragments> {
        Box::pin(self.read_batch(paths))
    }
}
