// Benchmark for the domain object list (not a test): lookups per second by
// UUID, name and id, and the time to list every domain, with 100,000
// domains in the list. Target: every lookup under 1 µs.
//
//   swift run -c release virdomainobjlist-bench [COUNT]

import Foundation
import domain_conf
import virdomainobjlist

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let list = DomainObjList()
var uuids: [DomainUUID] = []
var names: [String] = []
var ids: [Int] = []
uuids.reserveCapacity(count)

let fill = ContinuousClock.now
for i in 0..<count {
    let def = DomainDef(name: "domain-\(i)", virtType: "qemu", memoryKiB: 65536)
    let (obj, _) = try list.add(def)
    if i % 2 == 0 {
        list.assignID(obj, i + 1)
        obj.setState(.running(.booted))
        ids.append(i + 1)
    }
    uuids.append(def.uuid)
    names.append(def.name)
}
let fillTime = ContinuousClock.now - fill

// Lookups in a shuffled order, so that the cache does not flatter them.
var rng = SystemRandomNumberGenerator()
let order = (0..<count).shuffled(using: &rng)
let idOrder = ids.shuffled(using: &rng)

func measure(_ label: String, _ n: Int, _ body: (Int) -> Bool) -> Double {
    var found = 0
    let start = ContinuousClock.now
    for i in 0..<n where body(i) { found += 1 }
    let elapsed = ContinuousClock.now - start
    precondition(found == n, "\(label): \(n - found) lookups missed")
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds
}

let rounds = 3
var rows: [(String, Double)] = []
for (label, n, body) in [
    ("findByUUID", count, { (i: Int) in list.findByUUID(uuids[order[i]]) != nil }),
    ("findByName", count, { (i: Int) in list.findByName(names[order[i]]) != nil }),
    ("findByID", idOrder.count, { (i: Int) in list.findByID(idOrder[i]) != nil }),
] as [(String, Int, (Int) -> Bool)] {
    let best = (0..<rounds).map { _ in measure(label, n, body) }.min() ?? 0
    rows.append((label, best / Double(n)))
}

var listTimes: [Double] = []
var listed = 0
for _ in 0..<rounds {
    let start = ContinuousClock.now
    listed = list.list().count
    let e = ContinuousClock.now - start
    listTimes.append(Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18)
}
var activeTimes: [Double] = []
var active = 0
for _ in 0..<rounds {
    let start = ContinuousClock.now
    active = list.list(.active).count
    let e = ContinuousClock.now - start
    activeTimes.append(Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18)
}

print("domains in the list: \(count) (\(ids.count) running), filled in \(fillTime)")
print("lookup        ns/lookup   lookups/s    target < 1 µs")
for (label, perLookup) in rows {
    let ns = perLookup * 1e9
    print(String(format: "%-12@ %10.1f %12.0f    %@", label as NSString, ns, 1 / perLookup, (ns < 1000 ? "ok" : "MISSED") as NSString))
}
print(String(format: "list all (%d)          %8.2f ms", listed, (listTimes.min() ?? 0) * 1e3))
print(String(format: "list --state-running (%d) %5.2f ms", active, (activeTimes.min() ?? 0) * 1e3))
