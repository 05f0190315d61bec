use super::*;
use crate::explore::Session;
use crate::Sim;

fn hang_scene() -> Scene {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let s = Session::replay(&sim, "000000000111111111111222").unwrap();
    Scene::at(&s, s.len())
}

/// The `<path …>` start tags of the arrows.
fn arrows(svg: &str) -> Vec<&str> {
    svg.split('<')
        .filter(|t| t.starts_with("path") && t.contains("data-route="))
        .collect()
}

#[test]
fn the_unanswered_doorbell_is_a_red_dashed_arrow_to_the_empty_pcpu() {
    let svg = picture_inline(&hang_scene());
    let a = arrows(&svg);
    assert_eq!(a.len(), 1, "one IRTE, one arrow");
    assert!(a[0].contains(r#"data-route="doorbell""#), "{}", a[0]);
    assert!(a[0].contains(r#"data-to="pcpu0""#), "{}", a[0]);
    assert!(a[0].contains(r#"data-unanswered="true""#), "{}", a[0]);
    assert!(a[0].contains("class=\"pic-arrow-bad\"") && a[0].contains("stroke-dasharray"));
    assert!(svg.contains(r#"<g class="pic-pcpu" data-pcpu="0" data-empty="true">"#));
    assert!(svg.contains("vCPU0&#39;s doorbell: nobody answers"));
    assert!(svg.contains("no vCPU here"));
}

#[test]
fn the_ga_log_arrow_before_the_patch_line_and_the_marked_change() {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let s = Session::replay(&sim, "000000000111111111111222").unwrap();
    let k = (1..=s.len())
        .find(|&k| Scene::at(&s, k).irtes[0].route.unanswered())
        .unwrap();
    let before = picture_inline(&Scene::at(&s, k - 1));
    assert!(arrows(&before)[0].contains(r#"data-route="ga-log""#));
    let turned = picture_inline(&Scene::at(&s, k));
    assert!(turned.contains(r#"<g class="pic-irte" data-irte="0" data-changed="true">"#));
    assert!(arrows(&turned)[0].contains(r#"data-changed="true""#));
}

#[test]
fn every_shape_is_painted_inline_and_the_file_adds_only_a_style_sheet() {
    let scene = hang_scene();
    let inline = picture_inline(&scene);
    assert!(!inline.contains("<style") && !inline.contains("style="));
    for tag in inline
        .split('<')
        .filter(|t| t.starts_with("rect ") || t.starts_with("text ") || t.starts_with("path "))
    {
        assert!(
            tag.contains("fill=\"") || tag.contains("stroke=\""),
            "unpainted: <{tag}"
        );
    }
    let file = picture(&scene);
    let (a, b) = (
        file.find("<style>").unwrap(),
        file.find("</style>").unwrap(),
    );
    assert_eq!(format!("{}{}", &file[..a], &file[b + 8..]), inline);
    assert!(file.contains("prefers-color-scheme: dark"));
}

#[test]
fn text_from_a_scenario_is_escaped() {
    let mut scene = hang_scene();
    scene.title = "<script>alert(1)</script> & \u{1b}[2J".into();
    scene.vcpus[0].lock_holder = Some("\"evil\" <b>".into());
    let svg = picture_inline(&scene);
    assert!(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains('\u{1b}'));
    assert!(svg.contains("&lt;script&gt;") && svg.contains("\\u{1b}[2J"));
    assert!(svg.contains("held by &quot;evil&quot; &lt;b&gt;"));
}

#[test]
fn the_drawing_grows_with_the_machine_and_names_every_irte() {
    for (scenario, strategy) in [
        ("retarget-vs-old-owner", "linux-6.6"),
        ("concurrent-updaters", "linux-6.17"),
        ("apicv-toggle", "linux-6.5"),
    ] {
        let sim = Sim::from_ids(scenario, strategy, "tso").unwrap();
        let mut s = Session::new(&sim);
        while let Some(&a) = s.enabled().first() {
            s.step(a).unwrap();
            let scene = Scene::of_session(&s);
            let svg = picture_inline(&scene);
            assert_eq!(arrows(&svg).len(), scene.irtes.len());
            assert_eq!(
                svg.matches("<g class=\"pic-pcpu\"").count(),
                scene.pcpus.len()
            );
            assert_eq!(
                svg.matches("<g class=\"pic-vcpu\"").count(),
                scene.vcpus.len()
            );
            assert!(svg.ends_with("</svg>"));
        }
    }
}

#[test]
fn a_slides_picture_leaves_out_the_title_and_caption_and_crops_its_view_box() {
    let scene = hang_scene();
    let (page, slide) = (picture_inline(&scene), picture_slide(&scene));
    let view_box = |svg: &str| -> Vec<usize> {
        let v = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        v.split(' ').map(|n| n.parse().unwrap()).collect()
    };
    let (p, s) = (view_box(&page), view_box(&slide));
    assert_eq!((p[0], p[1], s[0], s[2]), (0, 0, 0, p[2]), "{p:?} {s:?}");
    assert!(
        s[1] > 0 && s[1] + s[3] < p[3],
        "cropped at both ends: {p:?} {s:?}"
    );
    assert!(page.contains(&scene.title) && !slide.contains(&scene.title));
    let caption = scene.last.clone().unwrap();
    assert!(page.contains(&xml(&caption)) && !slide.contains(&xml(&caption)));
    // Everything else is the same drawing: every shape, arrow and label.
    assert_eq!(arrows(&page), arrows(&slide));
    assert!(page.len() - slide.len() > scene.title.len() + caption.len());
    assert_eq!(
        slide.matches("<rect").count(),
        page.matches("<rect").count()
    );
    assert_eq!(
        slide.matches("<text").count() + 2,
        page.matches("<text").count()
    );
    // The arrows' highest points stay inside the cropped box.
    assert!(s[1] <= TOP - 34);
}
