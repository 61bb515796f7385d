fn main() -> anyhow::Result<()> {
    mstage::cli::run()
}
