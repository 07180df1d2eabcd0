//! arXiv categories to topic names: `cs.LG` → "machine learning".
//!
//! The built-in table covers arXiv's taxonomy with short, lower-case names; a site extends or
//! overrides it under `[topics.arxiv_categories]` in site.toml, where an empty name drops a
//! category. Two categories may share a topic (`cs.LG` and `stat.ML`), so a paper gets it once.

use std::collections::BTreeMap;

/// The topic for a category code, if it has one: the site's mapping first, then the table.
pub fn topic_for<'a>(code: &str, site: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let code = code.trim();
    if let Some(name) = site.get(code).or_else(|| {
        site.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code))
            .map(|(_, v)| v)
    }) {
        let name = name.trim();
        return (!name.is_empty()).then_some(name);
    }
    BUILT_IN
        .binary_search_by(|(key, _)| key.cmp(&code))
        .ok()
        .map(|i| BUILT_IN[i].1)
}

/// Sorted by code for binary search (checked by a test).
const BUILT_IN: &[(&str, &str)] = &[
    ("astro-ph", "astrophysics"),
    ("astro-ph.CO", "cosmology"),
    ("astro-ph.EP", "planetary astrophysics"),
    ("astro-ph.GA", "galaxy astrophysics"),
    ("astro-ph.HE", "high energy astrophysics"),
    ("astro-ph.IM", "astronomical instrumentation"),
    ("astro-ph.SR", "solar and stellar astrophysics"),
    ("cond-mat", "condensed matter"),
    ("cond-mat.dis-nn", "disordered systems and neural networks"),
    ("cond-mat.mes-hall", "mesoscale and nanoscale physics"),
    ("cond-mat.mtrl-sci", "materials science"),
    ("cond-mat.quant-gas", "quantum gases"),
    ("cond-mat.soft", "soft condensed matter"),
    ("cond-mat.stat-mech", "statistical mechanics"),
    ("cond-mat.str-el", "strongly correlated electrons"),
    ("cond-mat.supr-con", "superconductivity"),
    ("cs.AI", "artificial intelligence"),
    ("cs.AR", "hardware architecture"),
    ("cs.CC", "computational complexity"),
    ("cs.CE", "computational engineering"),
    ("cs.CG", "computational geometry"),
    ("cs.CL", "natural language processing"),
    ("cs.CR", "security and cryptography"),
    ("cs.CV", "computer vision"),
    ("cs.CY", "computers and society"),
    ("cs.DB", "databases"),
    ("cs.DC", "distributed computing"),
    ("cs.DL", "digital libraries"),
    ("cs.DM", "discrete mathematics"),
    ("cs.DS", "data structures and algorithms"),
    ("cs.ET", "emerging technologies"),
    ("cs.FL", "formal languages"),
    ("cs.GL", "general literature"),
    ("cs.GR", "graphics"),
    ("cs.GT", "game theory"),
    ("cs.HC", "human-computer interaction"),
    ("cs.IR", "information retrieval"),
    ("cs.IT", "information theory"),
    ("cs.LG", "machine learning"),
    ("cs.LO", "logic in computer science"),
    ("cs.MA", "multiagent systems"),
    ("cs.MM", "multimedia"),
    ("cs.MS", "mathematical software"),
    ("cs.NA", "numerical analysis"),
    ("cs.NE", "neural and evolutionary computing"),
    ("cs.NI", "networking"),
    ("cs.OH", "computer science"),
    ("cs.OS", "operating systems"),
    ("cs.PF", "performance"),
    ("cs.PL", "programming languages"),
    ("cs.RO", "robotics"),
    ("cs.SC", "symbolic computation"),
    ("cs.SD", "sound"),
    ("cs.SE", "software engineering"),
    ("cs.SI", "social and information networks"),
    ("cs.SY", "systems and control"),
    ("econ.EM", "econometrics"),
    ("econ.GN", "economics"),
    ("econ.TH", "economic theory"),
    ("eess.AS", "audio and speech processing"),
    ("eess.IV", "image and video processing"),
    ("eess.SP", "signal processing"),
    ("eess.SY", "systems and control"),
    ("gr-qc", "general relativity and quantum cosmology"),
    ("hep-ex", "high energy physics"),
    ("hep-lat", "lattice field theory"),
    ("hep-ph", "high energy physics"),
    ("hep-th", "high energy physics theory"),
    ("math-ph", "mathematical physics"),
    ("math.AC", "commutative algebra"),
    ("math.AG", "algebraic geometry"),
    ("math.AP", "partial differential equations"),
    ("math.AT", "algebraic topology"),
    ("math.CA", "classical analysis"),
    ("math.CO", "combinatorics"),
    ("math.CT", "category theory"),
    ("math.CV", "complex variables"),
    ("math.DG", "differential geometry"),
    ("math.DS", "dynamical systems"),
    ("math.FA", "functional analysis"),
    ("math.GM", "mathematics"),
    ("math.GN", "general topology"),
    ("math.GR", "group theory"),
    ("math.GT", "geometric topology"),
    ("math.HO", "history and overview of mathematics"),
    ("math.IT", "information theory"),
    ("math.KT", "k-theory and homology"),
    ("math.LO", "logic"),
    ("math.MG", "metric geometry"),
    ("math.MP", "mathematical physics"),
    ("math.NA", "numerical analysis"),
    ("math.NT", "number theory"),
    ("math.OA", "operator algebras"),
    ("math.OC", "optimization and control"),
    ("math.PR", "probability"),
    ("math.QA", "quantum algebra"),
    ("math.RA", "rings and algebras"),
    ("math.RT", "representation theory"),
    ("math.SG", "symplectic geometry"),
    ("math.SP", "spectral theory"),
    ("math.ST", "statistics theory"),
    ("nlin", "nonlinear sciences"),
    ("nlin.AO", "adaptation and self-organizing systems"),
    ("nlin.CD", "chaotic dynamics"),
    ("nlin.CG", "cellular automata"),
    ("nlin.PS", "pattern formation"),
    ("nlin.SI", "integrable systems"),
    ("nucl-ex", "nuclear physics"),
    ("nucl-th", "nuclear physics"),
    ("physics.acc-ph", "accelerator physics"),
    ("physics.ao-ph", "atmospheric and oceanic physics"),
    ("physics.app-ph", "applied physics"),
    ("physics.atm-clus", "atomic and molecular clusters"),
    ("physics.atom-ph", "atomic physics"),
    ("physics.bio-ph", "biological physics"),
    ("physics.chem-ph", "chemical physics"),
    ("physics.class-ph", "classical physics"),
    ("physics.comp-ph", "computational physics"),
    ("physics.data-an", "data analysis and statistics"),
    ("physics.ed-ph", "physics education"),
    ("physics.flu-dyn", "fluid dynamics"),
    ("physics.gen-ph", "physics"),
    ("physics.geo-ph", "geophysics"),
    ("physics.hist-ph", "history and philosophy of physics"),
    ("physics.ins-det", "instrumentation and detectors"),
    ("physics.med-ph", "medical physics"),
    ("physics.optics", "optics"),
    ("physics.plasm-ph", "plasma physics"),
    ("physics.pop-ph", "popular physics"),
    ("physics.soc-ph", "physics and society"),
    ("physics.space-ph", "space physics"),
    ("q-bio.BM", "biomolecules"),
    ("q-bio.CB", "cell behavior"),
    ("q-bio.GN", "genomics"),
    ("q-bio.MN", "molecular networks"),
    ("q-bio.NC", "neuroscience"),
    ("q-bio.OT", "quantitative biology"),
    ("q-bio.PE", "populations and evolution"),
    ("q-bio.QM", "quantitative methods"),
    ("q-bio.SC", "subcellular processes"),
    ("q-bio.TO", "tissues and organs"),
    ("q-fin.CP", "computational finance"),
    ("q-fin.EC", "economics"),
    ("q-fin.GN", "finance"),
    ("q-fin.MF", "mathematical finance"),
    ("q-fin.PM", "portfolio management"),
    ("q-fin.PR", "pricing of securities"),
    ("q-fin.RM", "risk management"),
    ("q-fin.ST", "statistical finance"),
    ("q-fin.TR", "trading and market microstructure"),
    ("quant-ph", "quantum physics"),
    ("stat.AP", "applied statistics"),
    ("stat.CO", "computational statistics"),
    ("stat.ME", "statistical methodology"),
    ("stat.ML", "machine learning"),
    ("stat.OT", "statistics"),
    ("stat.TH", "statistics theory"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(BUILT_IN.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn site_mapping_extends_and_overrides() {
        let mut site = BTreeMap::new();
        site.insert("cs.LG".to_string(), "ML".to_string());
        site.insert("cs.CV".to_string(), String::new());
        site.insert("q-bio.XX".to_string(), "new".to_string());
        assert_eq!(topic_for("cs.LG", &site), Some("ML"));
        assert_eq!(topic_for("cs.CV", &site), None);
        assert_eq!(topic_for("q-bio.XX", &site), Some("new"));
        assert_eq!(topic_for("stat.ML", &site), Some("machine learning"));
        assert_eq!(topic_for("cs.XX", &site), None);
    }
}
