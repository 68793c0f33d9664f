//! The arena installed as this test binary's global allocator, as archlint installs it.

use std::alloc::System;

use archlint_arena::{ArenaAlloc, arena_bytes_served, with_arena};

#[global_allocator]
static GLOBAL: ArenaAlloc<System> = ArenaAlloc::new(System);

/// A little tree like a parser builds: boxes, vectors grown one push at a time, strings.
#[derive(Debug)]
#[allow(clippy::vec_box)] // boxed children, as a parser allocates its nodes
enum Node {
    Leaf(String),
    Branch(Vec<Box<Node>>),
}

/// `width` children per branch, `depth` levels: `width.pow(depth)` leaves.
fn build(depth: u32, width: usize) -> Node {
    if depth == 0 {
        return Node::Leaf(format!("leaf-{width}-{depth}"));
    }
    let mut children = Vec::new();
    for _ in 0..width {
        children.push(Box::new(build(depth - 1, width)));
    }
    Node::Branch(children)
}

fn leaves(node: &Node) -> Vec<String> {
    match node {
        Node::Leaf(s) => vec![s.clone()],
        Node::Branch(c) => c.iter().flat_map(|n| leaves(n)).collect(),
    }
}

fn address<T>(value: &T) -> usize {
    value as *const T as usize
}

#[test]
fn trees_come_from_the_arena_and_its_memory_is_reused() {
    let before = arena_bytes_served();
    // The first allocation of each build marks where the arena was.
    let (first_leaves, first_at) = with_arena(
        || (Box::new(1u64), build(4, 4)),
        |(mark, tree)| (leaves(tree), address(mark.as_ref())),
    );
    assert!(
        arena_bytes_served() > before,
        "the tree was built in the arena"
    );
    assert_eq!(first_leaves.len(), 256);
    assert!(first_leaves.iter().all(|l| l.starts_with("leaf-")));
    // The next tree starts where the first one did: the arena was rewound.
    let second_at = with_arena(
        || (Box::new(2u64), build(2, 3)),
        |(mark, _)| address(mark.as_ref()),
    );
    assert_eq!(first_at, second_at);
    // What `read` returned survived the rewind, untouched by the second tree.
    assert!(first_leaves.iter().all(|l| l.starts_with("leaf-")));
}

#[test]
fn what_read_allocates_is_ordinary_memory() {
    let kept: Vec<String> = with_arena(
        || (0..1000).map(|i| i.to_string()).collect::<Vec<_>>(),
        |numbers| numbers.iter().map(|n| format!("n{n}")).collect(),
    );
    // Build another tree over the same arena memory, then check the kept strings.
    with_arena(|| vec![0xAAu8; 1 << 20], |v| assert_eq!(v.len(), 1 << 20));
    assert_eq!(kept.len(), 1000);
    assert_eq!(kept[999], "n999");
    drop(kept); // freed by the inner allocator without complaint
}

#[test]
fn vectors_grow_in_place_and_keep_their_contents() {
    let sum = with_arena(
        || {
            let mut v: Vec<u64> = Vec::new();
            for i in 0..200_000u64 {
                v.push(i);
            }
            let mut s = String::new();
            for _ in 0..10_000 {
                s.push_str("abc");
            }
            (v, s)
        },
        |(v, s)| (v.iter().sum::<u64>(), s.len()),
    );
    assert_eq!(sum, ((0..200_000u64).sum(), 30_000));
}

#[test]
fn a_tree_larger_than_the_kept_memory_is_served_and_given_back() {
    // 100 MB is over the part kept resident after a rewind.
    let len = with_arena(
        || vec![7u8; 100 << 20],
        |v| v.iter().filter(|&&b| b == 7).count(),
    );
    assert_eq!(len, 100 << 20);
    let again = with_arena(|| vec![1u8; 1 << 10], |v| v.len());
    assert_eq!(again, 1 << 10);
}

#[test]
fn a_panic_while_building_is_reported_and_the_arena_stays_usable() {
    let caught = std::panic::catch_unwind(|| {
        with_arena(
            || -> Vec<u8> {
                panic!(
                    "parser bug with a {} message",
                    std::hint::black_box("formatted")
                )
            },
            |v| v.len(),
        )
    });
    let payload = caught.expect_err("the panic propagates");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    // The payload was possibly built in the arena; it must still read correctly after more
    // trees were built.
    for _ in 0..3 {
        with_arena(|| build(3, 5), |t| assert_eq!(leaves(t).len(), 125));
    }
    assert_eq!(message, "parser bug with a formatted message");
}

#[test]
fn threads_have_arenas_of_their_own() {
    let handles: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let mut total = 0;
                for i in 0..50 {
                    total += with_arena(|| build(2, 3 + (t + i) % 4), |tree| leaves(tree).len());
                }
                total
            })
        })
        .collect();
    for (t, h) in handles.into_iter().enumerate() {
        let expected: usize = (0..50).map(|i| (3 + (t + i) % 4).pow(2)).sum();
        assert_eq!(h.join().unwrap(), expected);
    }
}

#[test]
fn nested_use_builds_the_inner_tree_normally() {
    let n = with_arena(
        || with_arena(|| vec![1u32, 2, 3], |v| v.iter().sum::<u32>()),
        |sum| *sum,
    );
    assert_eq!(n, 6);
}
